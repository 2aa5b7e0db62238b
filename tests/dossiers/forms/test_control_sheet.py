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
    actor: User,
    agency: Agency,
    *,
    at: datetime,
    step_due_at: datetime | None = None,
    note: str = "",
    status: int = Status.PROCESSING,
    **data: object,
) -> None:
    """A row as the back office's engine writes it: `step_due_at` is the due time of the step the
    action was taken in; `data` may carry the engine's `verdict` and `closes_step`."""
    append_transition(
        dossier,
        action=action,
        to_status=status,
        actor=actor,
        agency=agency,
        at=at,
        step_due_at=step_due_at,
        note=note,
        data=data,
    )
    dossier.save(update_fields=["status"])


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=VN)


def test_every_transition_is_listed_with_its_verdict(
    accepted: Dossier, personas: Personas, province: Province
) -> None:
    # Accepted 12/02 09:30 in a reception step due 17:00 that day: on time (judged here).
    lead, specialist, b = personas.leader_a, personas.specialist_a, province.agency_b
    a = province.agency_a
    _move(
        accepted,
        "assign",
        lead,
        a,
        at=at(13, 10, 15),
        step_due_at=at(13, 9),  # past, but assigning does not close the step: no result
        closes_step=False,
        note="Giao chuyên viên thẩm định",
    )
    _move(
        accepted,
        "request_opinion",
        specialist,
        a,
        at=at(13, 14),
        closes_step=False,
        note="Xin ý kiến Sở Xây dựng",
    )
    _move(
        accepted,
        "answer_opinion",
        personas.officer_b,
        b,
        at=at(23, 9),
        closes_step=False,
        note="Sở Xây dựng thống nhất",
    )
    # Proposed 24/02, step due 25/02 17:00: early (judged here, the row has no verdict).
    _move(
        accepted,
        "propose",
        specialist,
        a,
        at=at(24, 16),
        step_due_at=at(25, 17),
        note="Trình lãnh đạo phê duyệt",
    )
    # Approved with the engine's own verdict stored: late.
    _move(
        accepted,
        "approve",
        lead,
        a,
        at=at(25, 11, 20),
        status=Status.DONE,
        verdict="qua_han",
        closes_step=True,
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
    assert [r.action for r in rows] == [
        "submit",
        "accept",
        "assign",
        "request_opinion",
        "answer_opinion",
        "propose",
        "approve",
    ]
    for row in rows:
        assert f"{row.at.astimezone(VN):%d/%m/%Y %H:%M}" in text, row.action
    for label in (
        "Nộp hồ sơ",
        "Tiếp nhận hồ sơ",
        "Phân công xử lý",
        "Xin ý kiến đơn vị khác",
        "Trả lời xin ý kiến",
        "Trình phê duyệt",
        "Phê duyệt",
    ):
        assert label in text
    for note in (
        "Giao chuyên viên thẩm định",
        "Xin ý kiến Sở Xây dựng",
        "Sở Xây dựng thống nhất",
        "Trình lãnh đạo phê duyệt",
        "Đồng ý cấp giấy khai sinh",
    ):
        assert note in text
    assert str(lead) in text and str(specialist) in text and str(personas.officer_b) in text
    # accept: on time; assign, opinions: no step closed, no result; propose: early; approve: late.
    assert text.count("Trước hạn") == 1
    assert text.count("Đúng hạn") == 1
    assert text.count("Quá hạn") == 1
    assert set(pdf_text.page_sizes_mm(pdf)) == {pdf_text.A5}
    assert pdf_text.link_uris(pdf) == {tracking_url(accepted.code)}


def test_a_long_history_runs_over_pages_and_keeps_every_row(
    accepted: Dossier, personas: Personas, province: Province
) -> None:
    when = at(13, 8)
    for index in range(40):
        when += timedelta(minutes=7)
        _move(
            accepted,
            "propose",
            personas.specialist_a,
            province.unit_a,
            at=when,
            step_due_at=add_working_days(when, 1),
            note=f"Bước kiểm tra số {index:02d}",
        )

    pdf = forms.control_sheet_pdf(accepted)
    text = pdf_text.text_of(pdf)

    sizes = pdf_text.page_sizes_mm(pdf)
    assert len(sizes) > 1 and set(sizes) == {pdf_text.A5}
    assert all(f"Bước kiểm tra số {index:02d}" in text for index in range(40))
    assert accepted.transitions.count() == 42
