"""The citizen's whole online journey through the JSON API: draft → applicant → answers →
reception → files → submission (201 with the code) → the dossier with its history → the public
tracking with the last four digits of the phone number, which shows no personal data."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from chinhquyen.dossiers.models import Dossier, Draft, Status
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


def test_new_draft_names_what_is_missing_and_offers_the_choices(
    version: ProcedureVersion, personas: Personas, province: Province
) -> None:
    body = create_draft(api_client(personas.citizen))
    assert body["state"] == "open"
    assert body["procedure"] == {"national_code": h.BIRTH_CODE, "version": 1, "name": version.name}
    where = {problem["where"] for problem in body["problems"]}
    assert {"tre", "giay_to"} <= where
    reception = body["reception"]
    assert [choice["id"] for choice in reception["agency_choices"]] == [province.agency_a.pk]
    assert [c["key"] for c in reception["delivery_choices"]] == ["counter", "post", "online"]
    required = version.documents.filter(required=True).count()
    assert sum(doc["required"] for doc in body["documents"]) == required
    assert body["fees"]["total"] == 0 and body["dossier_code"] is None


def test_full_journey_from_draft_to_public_tracking(
    version: ProcedureVersion, personas: Personas, province: Province
) -> None:
    client = api_client(personas.citizen)
    draft_id = fill_draft(client, version, province.agency_a)

    ready = client.get(f"{API}/drafts/{draft_id}").json()
    assert ready["problems"] == []
    assert ready["applicant"]["personal_id"] == h.PERSONAL_ID
    assert ready["answers"]["tre"][0]["ho_ten"] == "Nguyễn Minh Khôi"
    assert ready["reception"]["receiving_agency"]["id"] == province.agency_a.pk
    attachment = ready["attachments"][0]
    assert attachment["content_type"] == "application/pdf" and len(attachment["sha256"]) == 64
    assert [d["id"] for d in client.get(f"{API}/drafts").json()["items"]] == [draft_id]

    submitted = submit(client, draft_id)
    assert submitted.status_code == 201, submitted.content
    code = submitted.json()["code"]
    assert re.fullmatch(rf"000\.00\.01\.H99-{timezone.localdate():%y%m%d}-0001", code)
    assert submitted.json()["status"] == Status.SUBMITTED
    assert Draft.objects.get(pk=draft_id).dossier == Dossier.objects.get(code=code)
    assert client.get(f"{API}/drafts").json() == {"total": 0, "items": []}

    dossier = client.get(f"{API}/dossiers/{code}").json()
    assert dossier["channel"] == 2 and dossier["can_withdraw"] is True
    assert [step["action"] for step in dossier["history"]] == ["submit"]
    assert len(dossier["documents"]) == version.documents.filter(required=True).count()
    mine = client.get(f"{API}/dossiers").json()
    assert mine["total"] == 1 and mine["items"][0]["code"] == code

    tracked = api_client().get(f"{API}/tracking/{code}", {"check": h.PHONE[-4:]})
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["code"] == code and body["status"] == Status.SUBMITTED
    assert set(body) == {
        "code", "procedure", "status", "status_label", "handling_agency", "submitted_at",
        "received_at", "due_at", "finished_at", "steps",
    }  # fmt: skip
    text = tracked.content.decode()
    for personal in (h.PERSONAL_ID, h.PHONE, "Nguyễn Văn An", "an.nguyen@example.vn", "Hiến Nam"):
        assert personal not in text
    assert tracked["Cache-Control"] == "no-store"


def test_withdraw_then_the_dossier_is_closed(
    version: ProcedureVersion, personas: Personas, province: Province
) -> None:
    client = api_client(personas.citizen)
    code = submit(client, fill_draft(client, version, province.agency_a)).json()["code"]
    url = f"{API}/dossiers/{code}/withdraw"
    assert send_json(client, "POST", url, {"reason": " "}).json()["field"] == "reason"
    withdrawn = send_json(client, "POST", url, {"reason": "Nộp nhầm thủ tục"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == Status.WITHDRAWN
    assert withdrawn.json()["can_withdraw"] is False
    assert [step["action"] for step in withdrawn.json()["history"]] == ["submit", "withdraw"]
    again = send_json(client, "POST", url, {"reason": "Lại"})
    assert again.status_code == 409 and again.json()["code"] == "not_withdrawable"


def test_removing_an_attachment(version: ProcedureVersion, personas: Personas) -> None:
    client = api_client(personas.citizen)
    draft_id = create_draft(client)["id"]
    document = version.documents.get(order=1)
    attached = upload(client, draft_id, document.pk, upload_samples.png(), "anh.png").json()
    assert (
        attached["content_type"] == "image/png" and attached["required_document_id"] == document.pk
    )
    url = f"{API}/drafts/{draft_id}/attachments/{attached['id']}"
    assert client.delete(url).status_code == 204
    assert client.get(f"{API}/drafts/{draft_id}").json()["attachments"] == []
    assert client.delete(url).status_code == 404
