"""The public check page and API: a citizen uploads a PDF or follows a QR code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from chinhquyen.signing.models import IssuedDocument
from chinhquyen.signing.queries import verification_qr_png, verification_url
from chinhquyen.signing.trust import do_add_trust_anchor
from chinhquyen.signing.validation import chain, revocation
from tests.factories import AgencyFactory
from tests.signing.conftest import TestPki as Pki
from tests.signing.pdfs import make_pdf
from tests.signing.validation_helpers import revocation_server, sign

API = "/api/v1/signing"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    chain.clear_cache()
    revocation.clear_cache()


@pytest.fixture
def valid_pdf(db: None, pki: Pki) -> Iterator[bytes]:
    do_add_trust_anchor(pki.government_ca.der, name="CA", kind="intermediate", acting_user=None)
    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        person = server.issue("Nguyen Van An", key=pki.person.key)
        yield sign(make_pdf(1), person, [pki.government_ca])


@pytest.fixture
def issued(valid_pdf: bytes, settings, tmp_path: Path) -> IssuedDocument:
    settings.MEDIA_ROOT = tmp_path
    document = IssuedDocument(
        title="Quyết định về việc thử nghiệm",
        issuing_agency=AgencyFactory.create(name="UBND tỉnh Thử nghiệm"),
        sha256="0" * 64,
        size=len(valid_pdf),
    )
    document.file.save("qd.pdf", ContentFile(valid_pdf), save=True)
    return document


def _upload(client: Client, url: str, data: bytes, name: str = "van-ban.pdf"):
    return client.post(url, {"file": ContentFile(data, name=name)})


def test_page_shows_form(db: None) -> None:
    response = Client(enforce_csrf_checks=True).get(reverse("signing:verify_upload"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_upload_valid_document(valid_pdf: bytes) -> None:
    response = _upload(Client(), reverse("signing:verify_upload"), valid_pdf)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kết luận: Hợp lệ" in body and "Nguyen Van An" in body


def test_upload_garbage_is_a_clear_report(db: None) -> None:
    response = _upload(Client(), reverse("signing:verify_upload"), b"khong phai pdf")
    assert response.status_code == 200
    assert "Tệp không phải định dạng PDF." in response.content.decode()


def test_upload_oversize_is_refused(db: None, settings) -> None:
    settings.SIGNING_VALIDATION_MAX_BYTES = 2000
    response = _upload(Client(), reverse("signing:verify_upload"), b"%PDF-1.7\n" + b"0" * 4000)
    assert response.status_code == 413
    assert "vượt quá dung lượng" in response.content.decode()


def test_issued_document_page(issued: IssuedDocument) -> None:
    response = Client().get(verification_url(issued).removeprefix("http://127.0.0.1:8000"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Quyết định về việc thử nghiệm" in body and "UBND tỉnh Thử nghiệm" in body
    assert "Kết luận: Hợp lệ" in body
    assert verification_qr_png(issued).startswith(b"\x89PNG")


def test_unknown_token_is_404(db: None) -> None:
    assert Client().get(reverse("signing:verify_issued", args=["khong-co"])).status_code == 404
    response = Client().get(f"{API}/issued/khong-co")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_validate(valid_pdf: bytes) -> None:
    response = _upload(Client(enforce_csrf_checks=True), f"{API}/validate", valid_pdf)
    assert response.status_code == 200
    data = response.json()
    assert data["verdict"] == "valid" and data["verdict_text"] == "Hợp lệ"


def test_api_garbage_and_empty(db: None) -> None:
    response = _upload(Client(), f"{API}/validate", b"<html>")
    assert response.status_code == 200
    assert response.json()["problem"] == {
        "code": "not_pdf",
        "message": "Tệp không phải định dạng PDF.",
    }
    response = _upload(Client(), f"{API}/validate", b"")
    assert response.status_code == 400
    assert response.json()["code"] in {"empty", "invalid"}


def test_api_oversize(db: None, settings) -> None:
    settings.SIGNING_VALIDATION_MAX_BYTES = 2000
    response = _upload(Client(), f"{API}/validate", b"%PDF-1.7\n" + b"0" * 4000)
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "Tệp lớn hơn giới hạn 1 KB, không kiểm tra.",
        "field": "file",
    }


def test_api_issued(issued: IssuedDocument) -> None:
    response = Client().get(f"{API}/issued/{issued.token}")
    assert response.status_code == 200
    data = response.json()
    assert data["document"]["issuing_agency"] == "UBND tỉnh Thử nghiệm"
    assert data["report"]["verdict"] == "valid"
