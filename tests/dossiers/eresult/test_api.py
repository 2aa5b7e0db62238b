"""The electronic result through the officers' API (`/api/v1/back-office/`): the draft as a
base64 PDF with the proposal, `certificate_id` + `second_factor_code` on the final approval and on
record_result, the draft and the result downloaded; structured refusals with nothing recorded."""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone

from chinhquyen.dossiers import eresult
from chinhquyen.dossiers.handling import last_seq
from chinhquyen.dossiers.models import DocumentRole, Dossier, DossierDocument, Status
from chinhquyen.org.models import User
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import Verdict
from tests.api.clients import api_client
from tests.dossiers.backoffice.conftest import act as engine_act
from tests.dossiers.backoffice.conftest import fresh
from tests.dossiers.eresult.conftest import EWorld, fresh_code, online_dossier
from tests.dossiers.staff_api.helpers import act, dossier_url, refused
from tests.signing.pdfs import make_pdf


def _pdf_body(content: bytes | None = None) -> dict[str, str]:
    content = make_pdf(pages=1) if content is None else content
    return {"name": "du-thao.pdf", "content_base64": base64.b64encode(content).decode()}


def _to_final_approval(ew: EWorld) -> Dossier:
    w, now = ew.world, timezone.now()
    dossier = online_dossier(ew)
    engine_act(dossier, "forward", w.officer, now, unit=w.province.unit_a)
    engine_act(dossier, "assign", w.unit_leader_a, now, assignee=ew.people.specialist_a)
    answer = act(ew.people.specialist_a, dossier, "propose", result_draft=_pdf_body())
    assert answer.status_code == 200, answer.content
    drafts = [d for d in answer.json()["documents"] if d["role"] == "result_draft"]
    assert len(drafts) == 1
    engine_act(dossier, "approve", w.unit_leader_a, now)
    return fresh(dossier)


def _sign(user: User, certificate: Any) -> dict[str, Any]:
    return {"certificate_id": certificate.pk, "second_factor_code": fresh_code(user)}


def test_the_electronic_result_through_the_api(eworld: EWorld) -> None:
    ew, people = eworld, eworld.people
    dossier = _to_final_approval(ew)
    answer = act(
        people.leader_a, dossier, "approve", **_sign(people.leader_a, ew.person_certificate)
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["step"] == "phat_hanh"
    issued = act(
        people.clerk_a, fresh(dossier), "record_result",
        **_sign(people.clerk_a, ew.organisation_certificate),
    )  # fmt: skip
    assert issued.status_code == 200, issued.content
    assert issued.json()["status"] == Status.RETURNED
    result = next(d for d in issued.json()["documents"] if d["role"] == "result")
    download = api_client(people.clerk_a).get(f"{dossier_url(dossier)}/documents/{result['id']}")
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    report = validate_pdf_bytes(download.content, fetch=False)
    assert len(report.signatures) == 2 and report.verdict != Verdict.INVALID


def test_wrong_code_is_a_structured_refusal_and_counted(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = _to_final_approval(ew)
    seq, before = last_seq(dossier), User.objects.get(pk=leader.pk).failed_signins
    answer = act(
        leader, dossier, "approve", certificate_id=ew.person_certificate.pk,
        second_factor_code="000000",
    )  # fmt: skip
    refused(answer, 400, "second_factor_required")
    assert last_seq(dossier) == seq
    assert User.objects.get(pk=leader.pk).failed_signins == before + 1


def test_refusals_name_the_field(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = _to_final_approval(ew)
    seq = last_seq(dossier)
    no_code = act(leader, dossier, "approve", certificate_id=ew.person_certificate.pk)
    refused(no_code, 400, "invalid", "second_factor_code")
    unknown = act(leader, dossier, "approve", certificate_id=987654, second_factor_code="123456")
    refused(unknown, 400, "invalid", "certificate_id")
    bad_b64 = act(
        leader, dossier, "approve", result_draft={"name": "x.pdf", "content_base64": "%%%"}
    )
    refused(bad_b64, 400, "invalid", "result_draft")
    not_pdf = act(leader, dossier, "approve", result_draft=_pdf_body(b"GIF89a" + b"0" * 20))
    refused(not_pdf, 400, "invalid", "result_draft")
    assert last_seq(dossier) == seq


def test_clerk_with_another_agencys_seal_is_refused(eworld: EWorld) -> None:
    ew, clerk = eworld, eworld.people.clerk_a
    dossier = _to_final_approval(ew)
    act(ew.people.leader_a, dossier, "approve", **_sign(ew.people.leader_a, ew.person_certificate))
    dossier = fresh(dossier)
    seq = last_seq(dossier)
    answer = act(clerk, dossier, "record_result", **_sign(clerk, ew.person_certificate))
    refused(answer, 400, "wrong_agency", "certificate_id")
    assert last_seq(dossier) == seq


def test_specialist_of_b_cannot_fetch_the_draft(eworld: EWorld) -> None:
    ew, w = eworld, eworld.world
    dossier = _to_final_approval(ew)
    draft = eresult.newest_draft(dossier)
    assert draft is not None
    url = f"{dossier_url(dossier)}/documents/{draft.pk}"
    assert api_client(ew.people.specialist_a).get(url).status_code == 200
    assert api_client(w.specialist_b).get(url).status_code == 404
    assert api_client(ew.people.officer_b).get(url).status_code == 404
    listed = api_client(ew.people.specialist_a).get(dossier_url(dossier)).json()["documents"]
    assert any(d["role"] == "result_draft" for d in listed)


def test_a_document_whose_bytes_changed_is_not_handed_out(eworld: EWorld) -> None:
    ew = eworld
    dossier = _to_final_approval(ew)
    draft = eresult.newest_draft(dossier)
    assert draft is not None
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.delete(draft.file.name)
    default_storage.save(draft.file.name, ContentFile(b"%PDF-1.4 khac"))
    url = f"{dossier_url(dossier)}/documents/{draft.pk}"
    refused(api_client(ew.people.specialist_a).get(url), 409, "integrity_failure")
    assert DossierDocument.objects.filter(dossier=dossier, role=DocumentRole.RESULT).count() == 0


def test_a_certificate_on_an_action_that_signs_nothing_is_refused(eworld: EWorld) -> None:
    ew = eworld
    dossier = _to_final_approval(ew)
    seq = last_seq(dossier)
    answer = act(
        ew.people.leader_a, dossier, "send_back", note="Sửa lại",
        **_sign(ew.people.leader_a, ew.person_certificate),
    )  # fmt: skip
    refused(answer, 400, "invalid", "certificate_id")
    assert last_seq(dossier) == seq


def test_the_citizen_api_lists_the_result_but_never_a_draft(eworld: EWorld) -> None:
    ew, people = eworld, eworld.people
    dossier = _to_final_approval(ew)
    citizen = api_client(people.citizen)
    url = f"/api/v1/dossiers/{dossier.code}"
    while_processing = citizen.get(url).json()["documents"]
    assert while_processing == []  # only drafts so far: nothing for the applicant
    act(people.leader_a, dossier, "approve", **_sign(people.leader_a, ew.person_certificate))
    act(
        people.clerk_a,
        fresh(dossier),
        "record_result",
        **_sign(people.clerk_a, ew.organisation_certificate),
    )
    roles = [d["role"] for d in citizen.get(url).json()["documents"]]
    assert roles == ["result"]
