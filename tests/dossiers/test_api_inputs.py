"""Bad input to the draft API is a structured 4xx ({code, message, field}) and saves nothing:
an invalid personal identification number, a date of birth in the future, an executable renamed
to .pdf, a file over the limit, an unknown group, a second submission (409), a missing
declaration, values no database stores (NUL, infinity)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.api.clients import api_client, send_json
from tests.conftest import Personas, Province
from tests.core import upload_samples
from tests.dossiers.api_helpers import API, create_draft, fill_draft, submit, upload


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


@pytest.fixture
def client(personas: Personas) -> Client:
    return api_client(personas.citizen)


@pytest.fixture
def draft_url(version: ProcedureVersion, client: Client) -> str:
    return f"{API}/drafts/{create_draft(client)['id']}"


def _refused(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    if field is not None:
        assert body["field"] == field
    return body


def test_invalid_personal_id_and_phone_are_named(client: Client, draft_url: str) -> None:
    applicant = {**h.APPLICANT, "personal_id": "999185012345", "phone": "12345"}
    body = _refused(send_json(client, "PUT", f"{draft_url}/applicant", applicant), 400, "invalid")
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"personal_id", "phone"}
    assert "mã tỉnh" in next(e["message"] for e in body["errors"] if e["field"] == "personal_id")
    assert client.get(draft_url).json()["applicant"].get("phone") != "12345"


def test_future_date_of_birth_is_refused_and_not_saved(client: Client, draft_url: str) -> None:
    children = h.birth_answers()["tre"]
    children[0]["ngay_sinh"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = send_json(client, "PUT", f"{draft_url}/answers/tre", {"value": children})
    body = _refused(response, 400, "invalid", "tre[0].ngay_sinh")
    assert "lớn hơn" in body["message"]
    assert "tre" not in client.get(draft_url).json()["answers"]


def test_unknown_group(client: Client, draft_url: str) -> None:
    response = send_json(client, "PUT", f"{draft_url}/answers/khong_co", {"value": {}})
    _refused(response, 400, "unknown_group", "group_key")


def test_a_group_may_depend_on_an_earlier_group_but_not_on_later_ones(
    client: Client, draft_url: str
) -> None:
    """`cha_me` is judged with `nguoi_yeu_cau` and `tre` before it; a bad earlier group is not
    this group's error."""
    answers = h.birth_answers()
    response = send_json(client, "PUT", f"{draft_url}/answers/cha_me", {"value": answers["cha_me"]})
    assert response.status_code == 200, response.content
    person = {**answers["nguoi_yeu_cau"], "quan_he": "khac"}  # now "quan_he_khac" is required
    response = send_json(client, "PUT", f"{draft_url}/answers/nguoi_yeu_cau", {"value": person})
    _refused(response, 400, "invalid", "nguoi_yeu_cau.quan_he_khac")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"value": {"ho_ten": "Nguyễn\\u0000Văn An"}}', "malformed"),
        ('{"value": {"ho_ten": "An", "tuoi": Infinity}}', "malformed"),
        ('{"value": {"ho_ten": "An", "tuoi": 1e400}}', "malformed"),
        ('{"value": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}}', "invalid_value"),
    ],
    ids=["nul", "infinity", "overflow", "deep"],
)
def test_values_no_form_holds_are_refused(
    client: Client, draft_url: str, body: str, code: str
) -> None:
    before = client.get(draft_url).json()["answers"]
    response = client.put(
        f"{draft_url}/answers/nguoi_yeu_cau", data=body, content_type="application/json"
    )
    _refused(response, 400, code)
    assert client.get(draft_url).json()["answers"] == before


def test_renamed_executable_is_refused_and_nothing_is_stored(
    client: Client, draft_url: str, version: ProcedureVersion
) -> None:
    document = version.documents.get(order=1)
    response = upload(client, draft_url.rsplit("/", 1)[1], document.pk, upload_samples.exe())
    _refused(response, 400, "upload_type_not_allowed", "file")
    assert StoredFile.objects.count() == 0


def test_pdf_with_javascript_is_refused(
    client: Client, draft_url: str, version: ProcedureVersion
) -> None:
    document = version.documents.get(order=1)
    sample = upload_samples.pdf_with_javascript()
    response = upload(client, draft_url.rsplit("/", 1)[1], document.pk, sample)
    _refused(response, 400, "upload_pdf_active_content", "file")


def test_oversized_file_is_413(
    client: Client, draft_url: str, version: ProcedureVersion, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    document = version.documents.get(order=1)
    response = upload(client, draft_url.rsplit("/", 1)[1], document.pk, b"%PDF-1.4" + b" " * 2000)
    _refused(response, 413, "upload_too_large", "file")
    assert StoredFile.objects.count() == 0


def test_document_of_another_procedure_is_refused(client: Client, draft_url: str) -> None:
    response = upload(client, draft_url.rsplit("/", 1)[1], 10**9, upload_samples.pdf())
    _refused(response, 400, "unknown_document")


def test_unknown_procedure_and_unknown_reception(client: Client, draft_url: str) -> None:
    response = send_json(client, "POST", f"{API}/drafts", {"national_code": "1.000000.H99"})
    _refused(response, 400, "unknown_procedure", "national_code")
    reception = {"receiving_agency_id": 10**12, "delivery_option": "online"}
    response = send_json(client, "PUT", f"{draft_url}/reception", reception)
    _refused(response, 400, "invalid", "receiving_agency")


def test_post_delivery_needs_an_address(client: Client, draft_url: str, province: Province) -> None:
    reception = {"receiving_agency_id": province.agency_a.pk, "delivery_option": "post"}
    response = send_json(client, "PUT", f"{draft_url}/reception", reception)
    _refused(response, 400, "invalid", "delivery_address")


def test_submit_needs_the_declaration_and_a_complete_draft(client: Client, draft_url: str) -> None:
    response = send_json(client, "POST", f"{draft_url}/submit", {"declaration": False})
    _refused(response, 400, "invalid", "declaration")
    response = send_json(client, "POST", f"{draft_url}/submit", {"declaration": True})
    _refused(response, 400, "incomplete")
    assert Dossier.objects.count() == 0


def test_submit_twice_is_409_and_the_closed_draft_cannot_change(
    client: Client, version: ProcedureVersion, province: Province
) -> None:
    draft_id = fill_draft(client, version, province.agency_a)
    assert submit(client, draft_id).status_code == 201
    _refused(submit(client, draft_id), 409, "already_submitted")
    assert Dossier.objects.count() == 1
    url = f"{API}/drafts/{draft_id}"
    _refused(send_json(client, "PUT", f"{url}/applicant", h.APPLICANT), 409, "draft_closed")
    document = version.documents.get(order=1)
    _refused(upload(client, draft_id, document.pk, upload_samples.pdf()), 409, "draft_closed")
    assert Draft.objects.get(pk=draft_id).state == Draft.State.SUBMITTED


def test_unsafe_method_without_the_csrf_token_is_refused(
    personas: Personas, draft_url: str
) -> None:
    no_token = api_client(personas.citizen, csrf=False)
    response = send_json(no_token, "PUT", f"{draft_url}/applicant", h.APPLICANT)
    assert response.status_code == 403
    assert no_token.get(draft_url).status_code == 200  # reading needs no token


def test_malformed_ids_and_bodies_are_4xx(client: Client, draft_url: str) -> None:
    assert client.get(f"{API}/drafts/khong-phai-uuid").status_code == 422
    assert client.delete(f"{draft_url}/attachments/0").status_code == 422
    assert client.delete(f"{draft_url}/attachments/{2**64}").status_code == 422
    assert send_json(client, "PUT", f"{draft_url}/reception", {"x": 1}).status_code == 422
    response = client.put(f"{draft_url}/applicant", data="{", content_type="application/json")
    assert 400 <= response.status_code < 500
