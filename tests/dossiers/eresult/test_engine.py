"""The electronic result on the engine (`dossiers.eresult`): the leader signs the draft at the final
approval, the clerk applies agency A's signature over it, the citizen gets a PDF that validates
with two signatures (person, then organisation); and every bad input refused with nothing
recorded (Decree 61/2018 Art. 19–20, Decree 30/2020 Art. 32–33)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import read_file
from chinhquyen.dossiers import eresult, queries
from chinhquyen.dossiers.handling import PaperDocument, last_seq
from chinhquyen.dossiers.models import DocumentRole, Dossier, DossierDocument, Status
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import User
from chinhquyen.signing.actions import do_import_pkcs12
from chinhquyen.signing.models import SigningCertificate
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import ChainStatus, Verdict
from tests.dossiers.backoffice.conftest import APPLICANT, act, fresh
from tests.dossiers.backoffice.conftest import PROCESS as BACKOFFICE_PROCESS
from tests.dossiers.eresult.conftest import (
    EWorld,
    draft_pdf,
    fresh_code,
    online_dossier,
    to_approval,
)
from tests.signing.servers import pkcs12_of


def _sign_approval(ew: EWorld, dossier: Dossier, **changes: Any) -> Any:
    leader = ew.people.leader_a
    options: dict[str, Any] = {
        "acting_user": leader,
        "expected_seq": last_seq(dossier),
        "certificate": ew.person_certificate,
        "second_factor_code": fresh_code(leader),
    }
    return eresult.do_approve_and_sign(dossier, **{**options, **changes})


def _issue(ew: EWorld, dossier: Dossier, **changes: Any) -> Any:
    clerk = ew.people.clerk_a
    options: dict[str, Any] = {
        "acting_user": clerk,
        "expected_seq": last_seq(dossier),
        "certificate": ew.organisation_certificate,
        "second_factor_code": fresh_code(clerk),
    }
    return eresult.do_issue_electronic_result(dossier, **{**options, **changes})


def _result(dossier: Dossier) -> DossierDocument:
    return DossierDocument.objects.select_related("file").get(
        dossier=dossier, role=DocumentRole.RESULT
    )


def _nothing_recorded(dossier: Dossier, seq: int, documents: int) -> None:
    assert last_seq(dossier) == seq
    assert dossier.documents.count() == documents


def _failures(user: User) -> int:
    return User.objects.get(pk=user.pk).failed_signins


# --- The whole path -----------------------------------------------------------------------------


def test_online_electronic_result_is_signed_twice_and_delivered(eworld: EWorld) -> None:
    ew, citizen = eworld, eworld.people.citizen
    dossier = to_approval(ew, online_dossier(ew))
    draft = eresult.newest_draft(dossier)
    assert draft is not None and draft.accepted is False
    assert not queries.citizen_documents(dossier).filter(pk=draft.pk).exists()

    approval = _sign_approval(ew, dossier)
    signed = approval.data["signed_draft"]
    signed_doc = DossierDocument.objects.select_related("file").get(pk=signed["document"])
    assert signed_doc.role == DocumentRole.RESULT_DRAFT
    assert signed["sha256"] == hashlib.sha256(read_file(signed_doc.file)).hexdigest()
    assert signed["certificate_fingerprint"] == ew.person_certificate.fingerprint_sha256
    assert signed["signed_from"] == draft.pk
    assert fresh(dossier).step == "phat_hanh"

    _issue(ew, fresh(dossier))
    dossier = fresh(dossier)
    # ADR 0018: online delivery of an electronic result is the return itself (status 10).
    assert dossier.status == Status.RETURNED and dossier.returned_at is not None
    rows = list(dossier.transitions.order_by("-seq")[:2])
    assert [r.action for r in rows] == ["return_result", "record_result"]
    assert rows[0].actor is None and rows[0].data["delivered"] == "data_store"
    electronic = rows[1].data["electronic"]
    assert electronic["certificate_fingerprint"] == ew.organisation_certificate.fingerprint_sha256
    assert electronic["person_fingerprint"] == ew.person_certificate.fingerprint_sha256
    assert electronic["signed_from"] == signed_doc.pk

    result = _result(dossier)
    assert result.accepted and electronic["document"] == result.pk
    store = set(queries.personal_store(citizen).values_list("pk", flat=True))
    assert result.pk in store
    drafts = dossier.documents.filter(role=DocumentRole.RESULT_DRAFT).values_list("pk", flat=True)
    assert not store & set(drafts)
    sent = OutboxMessage.objects.filter(dedupe_key__startswith=f"dossier:{dossier.code}:")
    assert "dossier.result_ready" in set(sent.values_list("template_code", flat=True))

    report = validate_pdf_bytes(read_file(result.file), fetch=False)
    person, organisation = report.signatures
    assert person.signer.fingerprint_sha256 == ew.person_certificate.fingerprint_sha256
    assert organisation.signer.fingerprint_sha256 == ew.organisation_certificate.fingerprint_sha256
    for signature in (person, organisation):
        assert signature.integrity.ok and signature.changes.allowed
        assert signature.chain.status == ChainStatus.TRUSTED
        assert signature.verdict != Verdict.INVALID
    assert report.verdict != Verdict.INVALID


def test_counter_delivery_waits_for_the_one_stop_office(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew, delivery_option="counter"))
    _sign_approval(ew, dossier)
    _issue(ew, fresh(dossier))
    dossier = fresh(dossier)
    assert dossier.status == Status.DONE and dossier.returned_at is None
    assert dossier.transitions.order_by("-seq").values_list("action", flat=True)[0] == (
        "record_result"
    )
    assert _result(dossier).pk in set(
        queries.personal_store(ew.people.citizen).values_list("pk", flat=True)
    )
    act(dossier, "return_result", ew.world.officer, timezone.now(), collected_by="Lê Văn Cường")
    assert fresh(dossier).status == Status.RETURNED


def test_leader_replaces_the_draft_when_signing(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))
    replacement = draft_pdf("Giay khai sinh sua")
    approval = _sign_approval(ew, dossier, result_draft=replacement)
    assert approval.data["draft"]["sha256"] == hashlib.sha256(replacement.content).hexdigest()
    assert approval.data["signed_draft"]["signed_from"] is None
    assert dossier.documents.filter(role=DocumentRole.RESULT_DRAFT).count() == 3
    _issue(ew, fresh(dossier))
    assert fresh(dossier).status == Status.RETURNED


def test_paper_result_still_possible(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew, delivery_option="counter"))
    act(dossier, "approve", ew.people.leader_a, timezone.now())
    scan = PaperDocument("Kết quả (bản quét)", draft_pdf().content, "scan.pdf")
    act(dossier, "record_result", ew.people.clerk_a, timezone.now(), result=scan)
    assert fresh(dossier).status == Status.DONE and _result(dossier).accepted


# --- Bad input: nothing recorded ------------------------------------------------------------


def test_wrong_code_is_counted_and_nothing_recorded(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = to_approval(ew, online_dossier(ew))
    seq, documents, before = last_seq(dossier), dossier.documents.count(), _failures(leader)
    with pytest.raises(DomainError) as refused:
        _sign_approval(ew, dossier, second_factor_code="000000")
    assert refused.value.code == "second_factor_required"
    assert _failures(leader) == before + 1
    _nothing_recorded(dossier, seq, documents)


def test_wrong_code_at_issue_is_counted_and_nothing_recorded(eworld: EWorld) -> None:
    ew, clerk = eworld, eworld.people.clerk_a
    dossier = to_approval(ew, online_dossier(ew))
    _sign_approval(ew, dossier)
    seq, documents, before = last_seq(dossier), dossier.documents.count(), _failures(clerk)
    with pytest.raises(DomainError):
        _issue(ew, fresh(dossier), second_factor_code="12345x")
    assert _failures(clerk) == before + 1
    _nothing_recorded(dossier, seq, documents)
    assert fresh(dossier).status == Status.PROCESSING


def test_someone_elses_personal_certificate_is_refused(eworld: EWorld, pki: Any) -> None:
    ew = eworld
    theirs = do_import_pkcs12(
        pkcs12_of(pki.revoked, [pki.government_ca]),
        "p12-pass",
        purpose="personal",
        owner_user=ew.world.leader_b,
        label="Chữ ký lãnh đạo Sở Xây dựng",
        acting_user=None,
    )
    dossier = to_approval(ew, online_dossier(ew))
    seq, documents = last_seq(dossier), dossier.documents.count()
    before = _failures(ew.people.leader_a)
    with pytest.raises(DomainError) as refused:
        _sign_approval(ew, dossier, certificate=theirs)
    assert refused.value.code == "forbidden"
    assert _failures(ew.people.leader_a) == before  # refused before the code was even read
    _nothing_recorded(dossier, seq, documents)


def test_organisation_certificate_at_approval_is_refused(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:
        _sign_approval(ew, dossier, certificate=ew.organisation_certificate)
    assert refused.value.code == "not_personal"
    _nothing_recorded(dossier, seq, documents)


def test_no_personal_signature_no_electronic_result(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))
    act(dossier, "approve", ew.people.leader_a, timezone.now())  # approved without signing
    dossier = fresh(dossier)
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:
        _issue(ew, dossier)
    assert refused.value.code == "person_signature_missing"
    assert "chưa có chữ ký số của lãnh đạo" in refused.value.message
    _nothing_recorded(dossier, seq, documents)


def test_organisation_certificate_of_another_agency_is_refused(eworld: EWorld, pki: Any) -> None:
    ew = eworld
    other = do_import_pkcs12(
        pkcs12_of(pki.revoked, [pki.government_ca]),
        "p12-pass",
        purpose="organisation",
        owner_agency=ew.world.province.agency_b,
        label="Con dấu Sở Xây dựng",
        acting_user=None,
    )
    dossier = to_approval(ew, online_dossier(ew))
    _sign_approval(ew, dossier)
    dossier = fresh(dossier)
    seq, documents = last_seq(dossier), dossier.documents.count()
    for certificate in (other, ew.person_certificate):
        with pytest.raises(DomainError) as refused:
            _issue(ew, dossier, certificate=certificate)
        assert refused.value.code == "wrong_agency"
        assert "Sở Tư pháp" in refused.value.message
    _nothing_recorded(dossier, seq, documents)


def test_draft_bytes_changed_after_signing_are_refused(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))
    approval = _sign_approval(ew, dossier)
    signed = DossierDocument.objects.select_related("file").get(
        pk=approval.data["signed_draft"]["document"]
    )
    name = signed.file.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(draft_pdf("Gia mao").content))
    dossier = fresh(dossier)
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:
        _issue(ew, dossier)
    assert refused.value.code == "draft_changed"
    _nothing_recorded(dossier, seq, documents)


def test_a_newer_draft_than_the_signed_one_is_refused(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))
    _sign_approval(ew, dossier)
    signed = eresult.newest_draft(dossier)
    assert signed is not None
    DossierDocument.objects.create(  # a draft slipped in after the signature
        dossier=dossier, role=DocumentRole.RESULT_DRAFT, name="Dự thảo khác", file=signed.file,
        added_at=timezone.now(),
    )  # fmt: skip
    dossier = fresh(dossier)
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:
        _issue(ew, dossier)
    assert refused.value.code == "draft_changed"
    _nothing_recorded(dossier, seq, documents)


def test_no_result_for_a_dossier_nobody_approved(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))  # waiting for the head's approval
    seq, documents = last_seq(dossier), dossier.documents.count()
    before = _failures(ew.people.clerk_a)
    with pytest.raises(DomainError) as refused:
        _issue(ew, dossier)
    assert refused.value.code == "forbidden"
    assert _failures(ew.people.clerk_a) == before  # nobody signs for nothing
    _nothing_recorded(dossier, seq, documents)


def test_unit_leader_check_is_not_the_final_signature(eworld: EWorld) -> None:
    ew, w = eworld, eworld.world
    dossier = online_dossier(ew)
    now = timezone.now()
    act(dossier, "forward", w.officer, now, unit=w.province.unit_a)
    act(dossier, "assign", w.unit_leader_a, now, assignee=w.people.specialist_a)
    act(dossier, "propose", w.people.specialist_a, now, result_draft=draft_pdf())
    dossier = fresh(dossier)
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:  # the agency leader may not act at this step
        _sign_approval(ew, dossier)
    assert refused.value.code == "forbidden"
    _nothing_recorded(dossier, seq, documents)


def test_stale_page_signs_nothing(eworld: EWorld) -> None:
    ew, leader = eworld, eworld.people.leader_a
    dossier = to_approval(ew, online_dossier(ew))
    seq, documents, before = last_seq(dossier), dossier.documents.count(), _failures(leader)
    code = fresh_code(leader)
    with pytest.raises(Conflict):
        _sign_approval(ew, dossier, expected_seq=seq - 1, second_factor_code=code)
    assert _failures(leader) == before
    assert User.objects.get(pk=leader.pk).last_totp_step == 0  # the code was not spent
    _nothing_recorded(dossier, seq, documents)


def test_no_draft_nothing_to_sign(eworld: EWorld) -> None:
    ew, w = eworld, eworld.world
    dossier = online_dossier(ew)
    now = timezone.now()
    act(dossier, "forward", w.officer, now, unit=w.province.unit_a)
    act(dossier, "assign", w.unit_leader_a, now, assignee=w.people.specialist_a)
    act(dossier, "propose", w.people.specialist_a, now)
    act(dossier, "approve", w.unit_leader_a, now)
    dossier = fresh(dossier)
    seq = last_seq(dossier)
    with pytest.raises(DomainError) as refused:
        _sign_approval(ew, dossier)
    assert refused.value.code == "no_draft"
    _nothing_recorded(dossier, seq, 0)


def test_a_draft_that_is_not_a_pdf_is_refused(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew))
    seq, documents = last_seq(dossier), dossier.documents.count()
    not_pdf = PaperDocument("Dự thảo", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "du-thao.png")
    with pytest.raises(DomainError) as refused:
        _sign_approval(ew, dossier, result_draft=not_pdf)
    assert refused.value.code == "not_pdf"
    _nothing_recorded(dossier, seq, documents)


def test_inactive_certificate_is_refused(eworld: EWorld) -> None:
    ew = eworld
    SigningCertificate.objects.filter(pk=ew.person_certificate.pk).update(is_active=False)
    dossier = to_approval(ew, online_dossier(ew))
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:
        _sign_approval(
            ew, dossier, certificate=SigningCertificate.objects.get(pk=ew.person_certificate.pk)
        )
    assert refused.value.code == "inactive"
    _nothing_recorded(dossier, seq, documents)
    assert not eresult.personal_certificates(ew.people.leader_a).exists()


def test_clerk_issues_in_a_process_without_an_issue_step(eworld: EWorld) -> None:
    """Decree 30/2020 Art. 33: the clerk issues the agency's documents; a process whose last step
    before the return is the head's approval still gets an electronic result from the clerk."""
    ew = eworld
    ew.world.version.process = BACKOFFICE_PROCESS  # ... phe_duyet (agency leader), tra_ket_qua
    ew.world.version.save(update_fields=["process"])
    dossier = to_approval(ew, online_dossier(ew, delivery_option="counter"))
    _sign_approval(ew, dossier)
    assert fresh(dossier).step == "tra_ket_qua"
    _issue(ew, fresh(dossier))
    dossier = fresh(dossier)
    assert dossier.status == Status.DONE and _result(dossier).accepted
    report = validate_pdf_bytes(read_file(_result(dossier).file), fetch=False)
    assert len(report.signatures) == 2 and report.verdict != Verdict.INVALID


def test_online_delivery_without_an_account_waits_for_the_office(eworld: EWorld) -> None:
    ew = eworld
    dossier = to_approval(ew, online_dossier(ew, applicant=APPLICANT))  # no account: no store
    _sign_approval(ew, dossier)
    _issue(ew, fresh(dossier))
    dossier = fresh(dossier)
    assert dossier.status == Status.DONE and dossier.returned_at is None


def test_the_unit_leaders_check_carries_no_signature(eworld: EWorld, pki: Any) -> None:
    ew, w = eworld, eworld.world
    mine = do_import_pkcs12(
        pkcs12_of(pki.revoked, [pki.government_ca]), "p12-pass", purpose="personal",
        owner_user=w.unit_leader_a, label="Chữ ký trưởng phòng", acting_user=None,
    )  # fmt: skip
    dossier = online_dossier(ew)
    now = timezone.now()
    act(dossier, "forward", w.officer, now, unit=w.province.unit_a)
    act(dossier, "assign", w.unit_leader_a, now, assignee=w.people.specialist_a)
    act(dossier, "propose", w.people.specialist_a, now, result_draft=draft_pdf())
    dossier = fresh(dossier)
    seq, documents = last_seq(dossier), dossier.documents.count()
    with pytest.raises(DomainError) as refused:
        _sign_approval(
            ew, dossier, acting_user=w.unit_leader_a, certificate=mine,
            second_factor_code=fresh_code(w.unit_leader_a),
        )  # fmt: skip
    assert refused.value.code == "not_final"
    _nothing_recorded(dossier, seq, documents)
