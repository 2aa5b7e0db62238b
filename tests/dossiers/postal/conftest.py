"""The back office world with the test postal operator (integrations/postal/testserver.py) on a
free port, and Celery running tasks eagerly in the test process, so "after commit" is real: the
booking runs when the test's `committed()` block runs the on-commit callbacks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from chinhquyen.celery import app as project_app
from chinhquyen.dossiers.models import Dossier, Shipment
from chinhquyen.integrations.postal.testserver import Operator, running
from tests.core import upload_samples
from tests.dossiers.backoffice.conftest import (
    World,
    _calendar_and_templates,
    act,
    at,
    fresh,
    receive,
    world,
)

__all__ = ["_calendar_and_templates", "world"]

API_KEY = "khoa-api-buu-chinh-thu-nghiem"
CALLBACK_SECRET = "bi-mat-ky-thong-bao-buu-chinh"
ADDRESS = "Số 5 phố Hiến Nam, phường Phố Hiến, tỉnh Hưng Yên"
MONDAY = at("2026-03-02 09:00")
CALLBACK_URL = "/api/v1/postal/callbacks"


@pytest.fixture
def operator(settings: Any) -> Iterator[Operator]:
    postal = Operator(api_key=API_KEY, callback_secret=CALLBACK_SECRET)
    with running(postal) as base_url:
        settings.POSTAL_API_URL = base_url
        settings.POSTAL_API_KEY = API_KEY
        settings.POSTAL_CALLBACK_SECRET = CALLBACK_SECRET
        settings.POSTAL_PUBLIC_BASE_URL = "http://testserver"
        yield postal


@pytest.fixture
def eager(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The Celery app read its configuration already; apply the override to it too.
    monkeypatch.setitem(project_app.conf, "task_always_eager", True)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """`with committed():` — what the block schedules for after commit runs at its end."""

    @contextmanager
    def block() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


def ready_to_return(world: World, when: datetime = MONDAY, **reception: Any) -> Dossier:
    """Received at the counter (by default asking for the result by post, with an address),
    processed, approved and its result recorded: status 9 at the receiving office."""
    options = {"delivery_option": "post", "delivery_address": ADDRESS, **reception}
    dossier = receive(world, when, **options)
    act(dossier, "forward", world.officer, when, unit=world.province.unit_a)
    act(dossier, "assign", world.unit_leader_a, when, assignee=world.people.specialist_a)
    dossier = fresh(dossier)
    people = world.people
    act(dossier, "propose", people.specialist_a, when)
    act(dossier, "approve", world.unit_leader_a, when)
    act(dossier, "approve", people.leader_a, when)
    from chinhquyen.dossiers.handling import PaperDocument

    result = PaperDocument("Giấy khai sinh", upload_samples.pdf(), "giay-khai-sinh.pdf")
    act(dossier, "record_result", people.specialist_a, when, result=result)
    return fresh(dossier)


def shipment_of(dossier: Dossier) -> Shipment:
    return Shipment.objects.get(dossier=dossier)


def signed_post(client: Client, body: bytes, signature: str, timestamp: str | None = None) -> Any:
    return client.post(
        CALLBACK_URL,
        data=body,
        content_type="application/json",
        headers={"X-Postal-Timestamp": timestamp or str(int(time.time())),
                 "X-Postal-Signature": signature},
    )  # fmt: skip


def callback(operator: Operator, reference: str, status: str, *, event_id: str = "") -> Any:
    """The operator's signed callback, delivered to our endpoint through Django's test client."""
    body = operator.event_body(reference, status, event_id=event_id)
    stamp = str(int(time.time()))
    return signed_post(Client(), body, operator.signature(stamp, body), stamp)
