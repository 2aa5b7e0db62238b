"""Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ: generated from the transition rows, every
one listed with its agency, time, actor, step due time and result."""

from __future__ import annotations

from datetime import datetime, timedelta

from chinhquyen.dossiers import forms
from chinhquyen.dossiers.actions import append_transition, tracking_url
from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.org.models import Agency, User
from chinhquyen.workdays.calendar import add_working_days
from tests.conftest import Personas, Province

from . import pdf_text
from .conftest import VN


def _move(
    dossier: Dossier,
    action: str,
    status: int,
    actor: User,
    agency: Agency,
    *,
    at: datetime,
    step_due_at: datetime | None = None,
    note: str = "",
) -> None:
    """A move as the back office's engine writes it: one row, the status saved."""
    append_transition(
        dossier,
        action=action,
        to_status=status,
        actor=actor,
        agency=agency,
        at=at,
        step_due_at=step_due_at,
        note=note,
    )
    dossier.save(update_fields=["status"])


def test_every_transition_is_listed_with_its_verdict(
    accepted: Dossier, personas: Personas, province: Province
) -> None:
    # accepted (seq 2) has step_due 26/02; assigned 13/02 (early), due 17:00 on 24/02.
    assign_at = datetime(2026, 2, 13, 10, 15, tzinfo=VN)
    _move(
        accepted,
        "assign",
        Status.PROCESSING,
        personas.leader_a,
        province.agency_a,
        at=assign_at,
        step_due_at=datetime(2026, 2, 24, 17, 0, tzinfo=VN),
        note="Giao chuyên viên thẩm định",
    )
    # Handed to agency B for an opinion on 24/02 at 16:00 (on time), due 25/02 08:00.
    _move(
        accepted,
        "transfer",
        Status.PROCESSING,
        personas.specialist_a,
        province.agency_b,
        at=datetime(2026, 2, 24, 16, 0, tzinfo=VN),
        step_due_at=datetime(2026, 2, 25, 8, 0, tzinfo=VN),
        note="Xin ý kiến Sở Xây dựng",
    )
    # Agency B answers on 25/02 at 11:20: late.
    _move(
        accepted,
        "approve",
        Status.DONE,
        personas.leader_a,
        province.agency_a,
        at=datetime(2026, 2, 25, 11, 20, tzinfo=VN),
        note="Đồng ý cấp giấy khai sinh",
    )

    pdf = forms.control_sheet_pdf(accepted)
    text = pdf_text.text_of(pdf)

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert f"Mã số hồ sơ: {accepted.code}" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: Sở Xây dựng" in text
    assert "Thời gian hẹn trả kết quả: 09 giờ 30 phút, ngày 26/02/2026" in text
    rows = list(accepted.transitions.order_by("seq"))
    assert [r.action for r in rows] == ["submit", "accept", "assign", "transfer", "approve"]
    for row in rows:
        assert f"{row.at.astimezone(VN):%d/%m/%Y %H:%M}" in text, row.action
    for label in ("Nộp hồ sơ", "Tiếp nhận hồ sơ", "Phân công xử lý", "Chuyển xử lý", "Phê duyệt"):
        assert label in text
    for note in (
        "Giao chuyên viên thẩm định",
        "Xin ý kiến Sở Xây dựng",
        "Đồng ý cấp giấy khai sinh",
    ):
        assert note in text
    assert str(personas.leader_a) in text and str(personas.specialist_a) in text
    # accept → assign 13/02 vs 26/02: early; assign → transfer 24/02 16:00 vs 17:00: on time;
    # transfer → approve 25/02 11:20 vs 08:00: late.
    assert text.count("Trước hạn") == 1
    assert text.count("Đúng hạn") == 1
    assert text.count("Quá hạn") == 1
    assert set(pdf_text.page_sizes_mm(pdf)) == {pdf_text.A5}
    assert pdf_text.link_uris(pdf) == {tracking_url(accepted.code)}


def test_a_long_history_runs_over_pages_and_keeps_every_row(
    accepted: Dossier, personas: Personas, province: Province
) -> None:
    at = datetime(2026, 2, 13, 8, 0, tzinfo=VN)
    for index in range(40):
        at += timedelta(minutes=7)
        _move(
            accepted,
            "assign",
            Status.PROCESSING,
            personas.leader_a,
            province.unit_a,
            at=at,
            step_due_at=add_working_days(at, 1),
            note=f"Bước kiểm tra số {index:02d}",
        )

    pdf = forms.control_sheet_pdf(accepted)
    text = pdf_text.text_of(pdf)

    sizes = pdf_text.page_sizes_mm(pdf)
    assert len(sizes) > 1 and set(sizes) == {pdf_text.A5}
    assert all(f"Bước kiểm tra số {index:02d}" in text for index in range(40))
    assert accepted.transitions.count() == 42
