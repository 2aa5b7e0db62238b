"""Shared pieces of the dossier API tests: the procedure, URLs, and a draft filled through the
API itself (so the tests exercise the same calls a client makes)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.api.clients import send_json
from tests.core import upload_samples

API = "/api/v1"


def create_draft(client: Client) -> dict[str, Any]:
    response = send_json(client, "POST", f"{API}/drafts", {"national_code": h.BIRTH_CODE})
    assert response.status_code == 201, response.content
    return response.json()


def upload(
    client: Client, draft_id: str, document_id: int, content: bytes, name: str = "giay-to.pdf"
) -> Any:
    return client.post(
        f"{API}/drafts/{draft_id}/attachments",
        {"required_document_id": document_id, "file": SimpleUploadedFile(name, content)},
    )


def fill_draft(client: Client, version: ProcedureVersion, agency: Agency) -> str:
    """A draft ready to submit, filled through the API; returns its id."""
    draft_id = create_draft(client)["id"]
    base = f"{API}/drafts/{draft_id}"
    assert send_json(client, "PUT", f"{base}/applicant", h.APPLICANT).status_code == 200
    for key, value in h.birth_answers().items():
        response = send_json(client, "PUT", f"{base}/answers/{key}", {"value": value})
        assert response.status_code == 200, response.content
    reception = {"receiving_agency_id": agency.pk, "delivery_option": "online"}
    assert send_json(client, "PUT", f"{base}/reception", reception).status_code == 200
    for document in version.documents.filter(required=True):
        response = upload(client, draft_id, document.pk, upload_samples.pdf())
        assert response.status_code == 201, response.content
    return str(draft_id)


def submit(client: Client, draft_id: str) -> Any:
    return send_json(client, "POST", f"{API}/drafts/{draft_id}/submit", {"declaration": True})
