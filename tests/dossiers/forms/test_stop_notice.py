"""Thông báo dừng giải quyết hồ sơ (Decree 118/2025 Art. 21; TT 03/2025 Art. 7 and Mẫu 05), read
back from the PDF: who asked, when, why, the dossier and the agency; A5 with the tracking QR link;
only for a stopped dossier; under the 2018 forms a notice with the same content, no number."""

from __future__ import annotations

from datetime import datetime

import pytest

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers import forms
from chinhquyen.dossiers.actions import append_transition, tracking_url
from chinhquyen.dossiers.forms import FormKind
from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas

from . import pdf_text
from .conftest import VN, accept

STOPPED_AT = datetime(2026, 2, 24, 15, 45, tzinfo=VN)
REASON = "Công dân đề nghị dừng để bổ sung giấy tờ và nộp lại sau"


def stop(dossier: Dossier, officer: object, at: datetime, reason: str = REASON) -> Dossier:
    """What the back office's `stop` stores: one row with the citizen's reason."""
    append_transition(
        dossier,
        action="stop",
        to_status=Status.STOPPED,
        actor=officer,
        agency=dossier.receiving_agency,
        at=at,
        data={"reason": reason},
    )
    dossier.save(update_fields=["status"])
    return Dossier.objects.get(pk=dossier.pk)


def test_stop_notice_lists_who_when_why_and_the_dossier(
    accepted: Dossier, personas: Personas
) -> None:
    stopped = stop(accepted, personas.officer_a, STOPPED_AT)
    pdf = forms.stop_notice_pdf(
        stopped, reason=REASON, stopped_at=STOPPED_AT, officer_name="Lê Thị Hướng"
    )
    text = pdf_text.text_of(pdf)

    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Kính gửi: Nguyễn Văn An" in text
    assert f"Mã hồ sơ: {stopped.code}" in text
    assert "Sở Tư pháp đã tiếp nhận hồ sơ đề nghị Đăng ký khai sinh" in text
    assert f"Số định danh cá nhân/tổ chức: {h.PERSONAL_ID}" in text
    assert "Ngày tiếp nhận: 12/02/2026" in text and "Cơ quan giải quyết: Sở Tư pháp" in text
    assert "Ngày 24/02/2026, Ông/Bà/Tổ chức Nguyễn Văn An đề nghị dừng giải quyết hồ sơ" in text
    assert f"Lý do: {REASON}" in text
    assert "dừng giải quyết hồ sơ kể từ 15 giờ 45 phút, ngày 24/02/2026" in text
    assert "ngày 24 tháng 02 năm 2026" in text  # the date line
    assert "Số: ……/TB" in text and "Lê Thị Hướng" in text
    assert "Mẫu 05 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in text
    assert pdf_text.page_sizes_mm(pdf) == [pdf_text.A5]
    assert pdf_text.link_uris(pdf) == {tracking_url(stopped.code)}


def test_stop_notice_officer_defaults_to_who_recorded_the_stop(
    accepted: Dossier, personas: Personas
) -> None:
    stopped = stop(accepted, personas.officer_a, STOPPED_AT)
    text = pdf_text.text_of(forms.stop_notice_pdf(stopped, reason=REASON, stopped_at=STOPPED_AT))
    assert str(personas.officer_a) in text


def test_under_the_2018_forms_the_notice_cites_decree_118(
    version: ProcedureVersion, personas: Personas
) -> None:
    dossier = h.submitted_dossier(personas.citizen, version)
    dossier = accept(dossier, personas.officer_a, datetime(2025, 9, 10, 9, 0, tzinfo=VN))
    at = datetime(2025, 11, 3, 10, 0, tzinfo=VN)  # stopped after the switch: still its 2018 forms
    stopped = stop(dossier, personas.officer_a, at)
    pdf = forms.stop_notice_pdf(stopped, reason=REASON, stopped_at=at)
    text = pdf_text.text_of(pdf)

    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and f"Lý do: {REASON}" in text
    assert "Ngày tiếp nhận: 10/09/2025" in text
    assert "Thông báo lập theo Điều 21 Nghị định số 118/2025/NĐ-CP" in text
    assert "Mẫu 05" not in text and "Thông tư số 03/2025" not in text
    assert pdf_text.page_sizes_mm(pdf) == [pdf_text.A5]
    assert forms.form_filename(FormKind.STOP_NOTICE, stopped) == (
        f"thong-bao-dung-{stopped.code}.pdf"
    )


def test_no_stop_notice_for_a_dossier_not_stopped(accepted: Dossier) -> None:
    with pytest.raises(DomainError, match="chưa dừng giải quyết") as refused:
        forms.stop_notice_pdf(accepted, reason=REASON, stopped_at=STOPPED_AT)
    assert refused.value.code == "bad_state"


def test_stop_notice_needs_a_reason(accepted: Dossier, personas: Personas) -> None:
    stopped = stop(accepted, personas.officer_a, STOPPED_AT)
    with pytest.raises(DomainError, match="lý do dừng") as refused:
        forms.stop_notice_pdf(stopped, reason="  ", stopped_at=STOPPED_AT)
    assert refused.value.field == "reason"
