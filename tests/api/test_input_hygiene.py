"""Input no database stores is a 400 for every router, never a 500: NUL characters in the
address (path or query) or in a body or form field, JSON's non-numbers (NaN, Infinity, 1e400).
PostgreSQL refuses NUL in text and infinities in jsonb, so these were 500s there (found on
`GET /api/v1/workdays/add?agency=%00`). Also: every API refusal has the {code, message, field}
shape, django-ninja's own included."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.api.clients import api_client, send_json
from tests.conftest import Personas, Province, client_for

pytestmark = pytest.mark.django_db

ADD = "/api/v1/workdays/add"
ADD_QUERY = {"start": "2026-02-13T16:00+07:00", "amount": "1", "unit": "days"}


def _shape(response: object, status: int, code: str) -> None:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == code and body["message"] and "field" in body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/workdays/add?agency=a%00b&start=2026-02-13T16:00%2B07:00&amount=1&unit=days",
        "/api/v1/signing/issued/a%00b",
        "/api/v1/catalogue/procedures/1.0%00",
        "/api/v1/tracking/ma%00so?check=1234",
        "/api/v1/catalogue/procedures?q=%00",
    ],
)
def test_nul_in_the_address_of_the_api_is_400(url: str) -> None:
    _shape(Client().get(url), 400, "malformed")


def test_nul_in_a_json_body_is_400(personas: Personas, province: Province) -> None:
    client = client_for(personas.admin_a)
    body = json.dumps({"name": "Sở\x00Tư pháp", "abbreviation": "STP"})
    url = f"/api/v1/org/agencies/{province.agency_a.pk}"
    _shape(client.put(url, data=body, content_type="application/json"), 400, "malformed")
    province.agency_a.refresh_from_db()
    assert "\x00" not in province.agency_a.name


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_in_a_json_body_are_400(personas: Personas, number: str) -> None:
    client = api_client(personas.citizen)
    body = '{"national_code": "x", "n": ' + number + "}"
    response = client.post("/api/v1/drafts", data=body, content_type="application/json")
    _shape(response, 400, "malformed")


def test_nul_in_a_form_field_is_400(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client(personas.citizen)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    url = "/api/v1/drafts/00000000-0000-0000-0000-000000000000/attachments"
    response = client.post(url, {"required_document_id": "1\x00", "file": upload})
    assert response.status_code in (400, 404)


def test_ninjas_own_refusals_have_the_same_shape(personas: Personas) -> None:
    _shape(Client().get("/api/v1/drafts"), 401, "unauthenticated")
    _shape(Client().get(ADD, {"start": "x"}), 422, "invalid")
    body = Client().get(ADD, {**ADD_QUERY, "unit": "weeks"}).json()
    assert body["field"] == "unit" and body["errors"][0]["field"] == "unit"
    no_token = api_client(personas.citizen, csrf=False)
    _shape(
        send_json(no_token, "POST", "/api/v1/drafts", {"national_code": "x"}), 403, "csrf_failed"
    )
    client = api_client(personas.citizen)
    response = client.post("/api/v1/drafts", data="{", content_type="application/json")
    _shape(response, 400, "malformed")
