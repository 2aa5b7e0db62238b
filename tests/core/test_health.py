from pathlib import Path

import pytest
from django.test import Client


def test_healthz_says_alive() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_broker_and_storage(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    body = Client().get("/readyz").json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "broker", "storage"}


@pytest.mark.django_db
def test_readyz_reports_broken_storage(settings, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_reports_unreachable_broker(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_BROKER_CONFIGURED = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_the_openapi_document_is_at_the_documented_addresses() -> None:
    document = Client().get("/api/openapi.json", follow=True)
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert "/api/v1/ping" in paths and "/api/v1/signing/validate" in paths
    assert Client().get("/api/docs", follow=True).status_code == 200
