"""Online submission through the actions: the dossier, its code, documents, first transition,
audit and confirmation messages appear together, or nothing does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers import actions, drafts
from chinhquyen.dossiers.models import Channel, DocumentRole, Dossier, Draft, Status
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.procedures.fees import quote_fees
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


def test_submit_creates_the_dossier_with_code_documents_history_and_messages(
    version: ProcedureVersion, personas: Personas, province: Province
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    dossier = actions.do_submit_draft(draft, acting_user=personas.citizen)

    today = timezone.localdate()
    assert re.fullmatch(rf"000\.00\.01\.H99-{today:%y%m%d}-0001", dossier.code)
    assert dossier.status == Status.SUBMITTED and dossier.channel == Channel.ONLINE
    assert dossier.receiving_agency == province.agency_a == dossier.handling_agency
    assert dossier.applicant_id_number == h.PERSONAL_ID and dossier.delivery_option == "online"
    assert dossier.answers["tre"][0]["ho_ten"] == "Nguyễn Minh Khôi"
    required = version.documents.filter(required=True).count()
    assert dossier.documents.filter(role=DocumentRole.SUBMITTED).count() == required
    [first] = dossier.transitions.all()
    assert (first.seq, first.action, first.from_status, first.to_status) == (1, "submit", None, 1)
    draft.refresh_from_db()
    assert draft.state == Draft.State.SUBMITTED and draft.dossier == dossier
    assert AuditEvent.objects.filter(action="dossiers.submit", object_id=str(dossier.pk)).exists()
    messages = OutboxMessage.objects.filter(dedupe_key__startswith=f"dossier:{dossier.code}:")
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "sms"]
    assert dossier.code in messages.get(channel="email").body
    # the confirmation e-mail carries the QR code of the tracking page (attached when sent)
    assert messages.get(channel="email").qr_link == actions.tracking_url(dossier.code)
    assert messages.get(channel="sms").qr_link == ""


def test_second_submit_of_the_same_draft_is_refused(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    actions.do_submit_draft(draft, acting_user=personas.citizen)
    with pytest.raises(Conflict, match="đã được nộp"):
        actions.do_submit_draft(draft, acting_user=personas.citizen)
    assert Dossier.objects.count() == 1


def test_codes_run_on_per_agency_per_day(version: ProcedureVersion, personas: Personas) -> None:
    codes = [h.submitted_dossier(personas.citizen, version).code for _ in range(3)]
    assert [code[-4:] for code in codes] == ["0001", "0002", "0003"]


def test_incomplete_draft_is_refused_and_nothing_is_saved(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = h.filled_draft(personas.citizen, version)
    answers = h.birth_answers()
    answers["tre"][0]["ngay_sinh"] = (timezone.localdate() + timedelta(days=3)).isoformat()
    drafts.do_save_group(draft, "tre", answers["tre"], acting_user=personas.citizen)
    with pytest.raises(DomainError) as refused:
        actions.do_submit_draft(draft, acting_user=personas.citizen)
    assert "Ngày" in refused.value.message or "ngày" in refused.value.message
    assert Dossier.objects.count() == 0
    draft.refresh_from_db()
    assert draft.state == Draft.State.OPEN


def test_missing_document_and_missing_declaration_are_named(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    problems = actions.check_draft_complete(draft)
    missing = [message for where, message in problems if where == "giay_to"]
    assert len(missing) == version.documents.filter(required=True).count()
    with pytest.raises(DomainError, match="cam đoan"):
        actions.do_submit_draft(draft, acting_user=personas.citizen)


def test_bad_applicant_is_refused_with_messages(
    version: ProcedureVersion, personas: Personas
) -> None:
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    errors = drafts.do_save_applicant(
        draft,
        {**h.APPLICANT, "personal_id": "123", "phone": "12345"},
        acting_user=personas.citizen,
    )
    fields = {field for field, _ in errors}
    assert {"personal_id", "phone"} <= fields
    draft.refresh_from_db()
    assert draft.applicant.get("personal_id") != "123"


def test_refused_upload_leaves_nothing(version: ProcedureVersion, personas: Personas) -> None:
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    document = version.documents.get(order=1)
    with pytest.raises(DomainError, match=r"JavaScript|nội dung"):
        drafts.do_attach_upload(
            draft,
            document.pk,
            upload_samples.pdf_with_javascript(),
            filename="a.pdf",
            acting_user=personas.citizen,
        )
    assert draft.attachments.count() == 0 and StoredFile.objects.count() == 0


def test_late_birth_registration_owes_the_fee(version: ProcedureVersion) -> None:
    on_time = quote_fees(version, h.birth_answers())
    late = quote_fees(version, h.birth_answers(born=timezone.localdate() - timedelta(days=90)))
    assert on_time.total == 0
    assert late.total == 8000 and [line.name for line in late.lines] == [
        "Lệ phí đăng ký khai sinh quá hạn"
    ]


def test_withdraw_then_no_second_withdraw(version: ProcedureVersion, personas: Personas) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)
    with pytest.raises(DomainError):
        actions.do_withdraw_dossier(dossier, acting_user=personas.citizen, reason=" ")
    actions.do_withdraw_dossier(dossier, acting_user=personas.citizen, reason="Nộp nhầm")
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        actions.do_withdraw_dossier(dossier, acting_user=personas.citizen, reason="Lại")
    assert dossier.transitions.count() == 2


def test_supplement_round_trip_returns_to_where_it_was(
    version: ProcedureVersion, personas: Personas, province: Province
) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)
    h.request_supplement(dossier, ["Giấy chứng sinh"])
    supplement = actions.SupplementFile("Giấy chứng sinh", upload_samples.pdf(), "chung-sinh.pdf")
    actions.do_submit_supplement(dossier, [supplement], acting_user=personas.citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.documents.filter(role=DocumentRole.SUPPLEMENT).count() == 1
    assert list(dossier.transitions.values_list("to_status", flat=True)) == [1, 5, 1]
    with pytest.raises(Conflict):
        actions.do_submit_supplement(dossier, [supplement], acting_user=personas.citizen)


def test_rating_only_after_a_result_and_only_once(
    version: ProcedureVersion, personas: Personas
) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)
    with pytest.raises(Conflict):
        actions.do_rate_dossier(dossier, acting_user=personas.citizen, score=5)
    dossier = h.finish_with_result(dossier)
    actions.do_rate_dossier(dossier, acting_user=personas.citizen, score=4, comment="Nhanh")
    with pytest.raises(Conflict):
        actions.do_rate_dossier(dossier, acting_user=personas.citizen, score=5)
