"""Processing rules of Decree 61/2018 Art. 19 the engine enforces beyond the step order: the
3-working-day window for a supplement asked after appraisal started (Art. 19(4)), refusal after
appraisal (Art. 19(8)) and the request for financial obligations (status 6)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.handling import available_actions, supplement_deadline
from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.dossiers.process import Budget, Verdict, check_process, process_for
from chinhquyen.dossiers.queries import public_lookup
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import Role
from chinhquyen.portal.tracking_views import explain
from chinhquyen.procedures.models import ProcedureVersion
from chinhquyen.reports.statistics import agency_statistics
from tests.dossiers.backoffice.conftest import (
    APPLICANT,
    PROCESS,
    World,
    act,
    at,
    fresh,
    receive,
    to_processing,
)
from tests.dossiers.backoffice.test_bad_input import refused
from tests.factories import staff_with_role

MONDAY = at("2026-03-02 09:00")
THREE_DAYS = Budget(Decimal(3), "working_days")


def _with_supplement_limit(world: World, limit: dict[str, Any]) -> None:
    process = copy.deepcopy(PROCESS)
    process[1]["supplement_limit"] = limit
    ProcedureVersion.objects.filter(pk=world.version.pk).update(process=process)


# --- Art. 19(4): a supplement asked by the competent agency ------------------------------------


def test_the_competent_agency_asks_a_supplement_within_three_working_days(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    # Received Monday 09:00: three working days end Thursday 09:00 (the agency's calendar).
    assert supplement_deadline(dossier, process_for(dossier.procedure_version)) == at(
        "2026-03-05 09:00"
    )
    act(dossier, "request_supplement", world.people.specialist_a, at("2026-03-05 08:59"),
        items=["Tờ khai có chữ ký"])  # fmt: skip
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_a_late_supplement_request_is_refused_naming_the_deadline(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    late = at("2026-03-05 09:01")
    with refused(dossier, "quá thời hạn yêu cầu bổ sung.*3 ngày làm việc.*09:00 05/03/2026",
                 "supplement_too_late"):  # fmt: skip
        act(dossier, "request_supplement", world.people.specialist_a, late, items=["Tờ khai"])


def test_the_window_counts_working_days_over_a_weekend_and_tet(world: World) -> None:
    # Received Thursday 12/02/2026 10:00; Tết 2026 closes 14–22/02: the window ends 25/02 10:00.
    dossier = to_processing(world, at("2026-02-12 10:00"))
    deadline = supplement_deadline(dossier, process_for(dossier.procedure_version))
    assert deadline is not None and deadline > at("2026-02-23 10:00")
    act(dossier, "request_supplement", world.people.specialist_a, deadline, items=["Tờ khai"])
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_the_reception_request_is_not_bound_by_the_window(world: World) -> None:
    dossier = receive(world, MONDAY)
    assert supplement_deadline(dossier, process_for(dossier.procedure_version)) is None
    act(dossier, "request_supplement", world.officer, at("2026-03-10 09:00"), items=["Tờ khai"])
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


def test_a_process_sets_another_period(world: World) -> None:
    _with_supplement_limit(world, {"value": "5", "unit": "working_days"})
    dossier = to_processing(world, MONDAY)
    assert process_for(dossier.procedure_version).supplement_limit == Budget(
        Decimal(5), "working_days"
    )
    with refused(dossier, r"5 ngày làm việc.*09:00 09/03/2026", "supplement_too_late"):
        act(dossier, "request_supplement", world.people.specialist_a, at("2026-03-09 09:30"),
            items=["Tờ khai"])  # fmt: skip
    act(dossier, "request_supplement", world.people.specialist_a, at("2026-03-06 16:00"),
        items=["Tờ khai"])  # fmt: skip
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED


@pytest.mark.parametrize(
    ("where", "limit", "message"),
    [
        (1, {"value": "x", "unit": "working_days"}, "Bước 2, thời hạn yêu cầu bổ sung: thời gian"),
        (1, {"value": "3", "unit": "weeks"}, "Bước 2, thời hạn yêu cầu bổ sung: đơn vị"),
        (1, {"value": "0", "unit": "working_days"}, "Bước 2: thời hạn yêu cầu bổ sung phải lớn"),
        (1, "3", r"Bước 2, thời hạn yêu cầu bổ sung: cần dạng"),
        (0, {"value": "3", "unit": "working_days"}, "Bước 1: thời hạn yêu cầu bổ sung chỉ đặt ở"),
        (2, {"value": "3", "unit": "working_days"}, "Bước 3: thời hạn yêu cầu bổ sung chỉ đặt ở"),
    ],
)
def test_a_bad_supplement_limit_is_refused(where: int, limit: Any, message: str) -> None:
    process = copy.deepcopy(PROCESS)
    process[where]["supplement_limit"] = limit
    with pytest.raises(DomainError, match=message):
        check_process(process, THREE_DAYS)


def test_only_one_step_sets_the_period() -> None:
    process = copy.deepcopy(PROCESS)
    second = {**process[1], "code": "tham_dinh_2"}
    process.insert(2, second)
    process[1]["supplement_limit"] = {"value": "2", "unit": "working_days"}
    process[2]["supplement_limit"] = {"value": "4", "unit": "working_days"}
    budget = {"value": "1", "unit": "working_hours"}
    for step in process:
        step["budget"] = budget
    with pytest.raises(DomainError, match="chỉ đặt ở một bước thẩm định"):
        check_process(process, THREE_DAYS)


# --- Art. 19(8): refusal after appraisal --------------------------------------------------------

REASONS = ["Người yêu cầu không có quan hệ với người được khai sinh", "Đã đăng ký khai sinh"]


def test_refusal_after_appraisal_ends_at_the_one_stop_office(world: World) -> None:
    people = world.people
    dossier = to_processing(world, MONDAY)
    assert "refuse_after_appraisal" in available_actions(dossier, people.specialist_a)
    assert "refuse_after_appraisal" not in available_actions(dossier, world.officer)
    when = at("2026-03-04 10:00")
    row = act(dossier, "refuse_after_appraisal", people.specialist_a, when, reasons=REASONS)
    dossier = fresh(dossier)
    # Status 9 with a refusal result (ADR 0018): recorded in the result section, returned
    # through the one-stop office that received it.
    assert dossier.status == Status.DONE and dossier.step == "tra_ket_qua"
    assert dossier.current_agency == world.province.agency_a
    assert dossier.finished_at == when
    assert row.data["result"] == "refused" and row.data["reasons"] == REASONS
    # The appraisal step (1 working day from Monday 09:00) was due Tuesday 09:00: the step is
    # late, the dossier is not (due Thursday 09:00).
    assert row.data["verdict"] == Verdict.LATE and row.data["step"] == "tham_dinh"
    assert row.public_note == "Hồ sơ không đủ điều kiện giải quyết. Lý do: " + "; ".join(REASONS)
    sent = OutboxMessage.objects.filter(template_code="dossier.resolution_refused")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    assert all(REASONS[0] in message.body for message in sent)
    lookup = public_lookup(dossier.code, APPLICANT.phone[-4:])
    assert lookup is not None and lookup.steps[-1].label == "Từ chối giải quyết"
    # The national status reads "resolved"; the citizen is told the answer is no.
    assert lookup.resolution_refused and lookup.status_label == "Đã xử lý xong"
    assert "đã từ chối giải quyết hồ sơ" in explain(lookup.status, refused=True)
    page = Client(REMOTE_ADDR="203.0.113.70").get(
        "/tra-cuu-ho-so/", {"ma": dossier.code, "kiem_tra": APPLICANT.phone[-4:]}
    )
    assert "từ chối giải quyết hồ sơ vì không đủ điều kiện" in page.content.decode()
    # The officer returns the Phiếu từ chối giải quyết and the papers.
    assert available_actions(dossier, world.officer) == ["return_result"]
    act(dossier, "return_result", world.officer, at("2026-03-05 08:00"), method="counter")
    assert fresh(dossier).status == Status.RETURNED
    returned = public_lookup(dossier.code, APPLICANT.phone[-4:])
    assert returned is not None and returned.resolution_refused
    assert "đã được trả cho người nộp" in explain(returned.status, refused=True)


def test_a_leader_refuses_at_approval(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "propose", world.people.specialist_a, MONDAY)
    act(dossier, "refuse_after_appraisal", world.unit_leader_a, at("2026-03-02 15:00"),
        reasons=["Hồ sơ giả mạo"])  # fmt: skip
    assert fresh(dossier).status == Status.DONE


def test_statistics_count_the_refusal_resolved(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "refuse_after_appraisal", world.people.specialist_a, at("2026-03-03 10:00"),
        reasons=REASONS)  # fmt: skip
    numbers = agency_statistics(
        world.province.agency_a, at("2026-03-01 00:00"), at("2026-04-01 00:00"),
        now=at("2026-04-02 09:00"),
    )  # fmt: skip
    assert (numbers.resolved, numbers.resolved_early, numbers.refused) == (1, 1, 0)
    assert numbers.on_time_rate == 100


def test_refusal_after_appraisal_needs_reasons(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "Nêu rõ lý do từ chối giải quyết hồ sơ."):
        act(dossier, "refuse_after_appraisal", world.people.specialist_a, MONDAY,
            reasons=["  ", ""])  # fmt: skip


def test_refusal_after_the_time_limit_is_refused(world: World) -> None:
    dossier = to_processing(world, MONDAY)  # due Thursday 05/03 09:00
    late = at("2026-03-05 09:30")
    with refused(dossier, "quá thời hạn giải quyết.*trước 09:00 05/03/2026", "refusal_too_late"):
        act(dossier, "refuse_after_appraisal", world.people.specialist_a, late, reasons=REASONS)


def test_only_the_holder_refuses_after_appraisal(world: World) -> None:
    dossier = receive(world, MONDAY)
    with refused(dossier, "không thực hiện được “Từ chối giải quyết”", "bad_state"):
        act(dossier, "refuse_after_appraisal", world.officer, MONDAY, reasons=REASONS)
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "không có vai trò", "forbidden"):
        act(dossier, "refuse_after_appraisal", world.officer, MONDAY, reasons=REASONS)
    with refused(dossier, "không có vai trò", "forbidden"):  # a specialist of another unit
        act(dossier, "refuse_after_appraisal", world.specialist_a2, MONDAY, reasons=REASONS)
    colleague = staff_with_role(world.province.unit_a, Role.SPECIALIST, username="cv_khac")
    with refused(dossier, "phân công cho chuyên viên khác", "forbidden"):
        act(dossier, "refuse_after_appraisal", colleague, MONDAY, reasons=REASONS)


# --- Status 6: financial obligations ------------------------------------------------------------


def test_payment_requested_then_recorded_resumes_processing(world: World) -> None:
    people = world.people
    dossier = to_processing(world, MONDAY)
    due = dossier.due_at
    asked_at = at("2026-03-02 10:00")
    act(dossier, "request_payment", people.specialist_a, asked_at, money="1500000",
        content="Lệ phí trước bạ")  # fmt: skip
    dossier = fresh(dossier)
    assert dossier.status == Status.PAYMENT_REQUESTED and dossier.step == "tham_dinh"
    assert dossier.step_due_at is None and dossier.due_at == due  # the time limit runs on
    row = dossier.transitions.get(action="request_payment")
    assert row.data["amount"] == "1500000" and row.data["closes_step"] is False
    assert row.public_note == (
        "Cần thực hiện nghĩa vụ tài chính: Lệ phí trước bạ, số tiền 1.500.000 đồng."
    )
    # Received at the counter, no account: no dossier page to pay on, so the counter only.
    sent = OutboxMessage.objects.filter(template_code="dossier.payment_requested_at_counter")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    assert all("1.500.000 đồng" in m.body and "Bộ phận" in m.body for m in sent)
    assert not any("trực tuyến" in m.body or "ho-so-cua-toi" in m.body for m in sent)
    assert available_actions(dossier, people.specialist_a) == []
    assert "record_payment" in available_actions(dossier, world.officer)
    lookup = public_lookup(dossier.code, APPLICANT.phone[-4:])
    assert lookup is not None and lookup.steps[-1].label == "Yêu cầu thực hiện nghĩa vụ tài chính"

    paid_at = at("2026-03-03 10:00")
    act(dossier, "record_payment", world.officer, paid_at, money=1500000, receipt="BL 0001234")
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING and dossier.step == "tham_dinh"
    assert dossier.step_due_at == at("2026-03-04 10:00")  # the step's day counted from payment
    assert dossier.due_at == due and dossier.paid_amount == 1500000
    assert dossier.transitions.get(action="record_payment").data["receipt"] == "BL 0001234"
    told = OutboxMessage.objects.filter(template_code="dossier.payment_received")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "sms"]
    for message in told:
        assert "1.500.000 đồng" in message.body and "BL 0001234" in message.body
        assert "nộp tại Bộ phận Một cửa" in message.body and "trực tuyến" not in message.body
    assert "Lệ phí trước bạ" in told.get(channel="email").body
    act(dossier, "propose", people.specialist_a, at("2026-03-03 11:00"))
    assert fresh(dossier).step == "kiem_tra"


def test_a_counter_payment_without_a_receipt_or_a_contact(world: World) -> None:
    """No receipt number: the notice says none was written; no e-mail or phone: no notice."""
    for contact in (APPLICANT.phone, ""):
        dossier = to_processing(world, MONDAY)
        Dossier.objects.filter(pk=dossier.pk).update(applicant_phone=contact, applicant_email="")
        dossier = fresh(dossier)
        act(dossier, "request_payment", world.people.specialist_a, MONDAY, money=20000,
            content="Phí")  # fmt: skip
        act(fresh(dossier), "record_payment", world.officer, MONDAY, money=20000)
        told = OutboxMessage.objects.filter(
            template_code="dossier.payment_received", dedupe_key__contains=dossier.code
        )
        assert [m.body for m in told] == (
            [f"{dossier.receiving_agency.name}: đã nhận 20.000 đồng nộp tại Bộ phận Một cửa cho"
             f" hồ sơ {dossier.code} (biên lai/mã giao dịch không ghi); hồ sơ được giải quyết"
             " tiếp."]
            if contact else []
        )  # fmt: skip


def test_a_leader_asks_for_payment_at_approval(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "propose", world.people.specialist_a, MONDAY)
    act(dossier, "request_payment", world.unit_leader_a, MONDAY, money=50000, content="Phí")
    act(dossier, "record_payment", world.officer, MONDAY, money=60000)
    dossier = fresh(dossier)
    assert (dossier.status, dossier.step, dossier.paid_amount) == (
        Status.PROCESSING, "kiem_tra", 60000,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("money", "content", "message"),
    [
        (None, "Lệ phí", "Nhập số tiền phải nộp"),
        ("0", "Lệ phí", "Nhập số tiền phải nộp"),
        ("-5", "Lệ phí", "Nhập số tiền phải nộp"),
        ("mười nghìn", "Lệ phí", "Nhập số tiền phải nộp"),
        ("NaN", "Lệ phí", "Nhập số tiền phải nộp"),
        ("1000000000000", "Lệ phí", "Nhập số tiền phải nộp"),
        (True, "Lệ phí", "Nhập số tiền phải nộp"),
        ("1500.5", "Lệ phí", "số đồng nguyên"),
        ("1500", "   ", "Nêu nội dung khoản phải nộp"),
    ],
)
def test_a_bad_payment_request_is_refused(
    world: World, money: Any, content: str, message: str
) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, message):
        act(dossier, "request_payment", world.people.specialist_a, MONDAY, money=money,
            content=content)  # fmt: skip


def test_a_bad_payment_record_is_refused(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "không thực hiện được “Ghi nhận đã thực hiện", "bad_state"):
        act(dossier, "record_payment", world.officer, MONDAY, money=1)
    with refused(dossier, "không có vai trò", "forbidden"):
        act(dossier, "request_payment", world.officer, MONDAY, money=1, content="Phí")
    act(dossier, "request_payment", world.people.specialist_a, MONDAY, money=200000, content="Phí")
    dossier = fresh(dossier)
    with refused(dossier, r"đã nộp \(150.000 đồng\) nhỏ hơn số tiền phải nộp \(200.000 đồng\)"):
        act(dossier, "record_payment", world.officer, MONDAY, money=150000)
    with refused(dossier, "Nhập số tiền người nộp đã nộp"):
        act(dossier, "record_payment", world.officer, MONDAY, money="")
    with refused(dossier, "không có vai trò", "forbidden"):
        act(dossier, "record_payment", world.people.specialist_a, MONDAY, money=200000)
    with refused(dossier, "Hồ sơ đang ở", "bad_state"):
        act(dossier, "propose", world.people.specialist_a, MONDAY)


def test_refusal_at_the_due_instant_is_still_in_time(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    assert dossier.due_at == at("2026-03-05 09:00")
    act(dossier, "refuse_after_appraisal", world.people.specialist_a, dossier.due_at,
        reasons=REASONS)  # fmt: skip
    assert fresh(dossier).status == Status.DONE


def test_waiting_for_payment_the_head_may_still_move_the_due_date(world: World) -> None:
    """The time limit runs while the applicant pays (ADR 0018), so the apology (Mẫu 04) stays
    possible in status 6."""
    dossier = to_processing(world, MONDAY)
    act(dossier, "request_payment", world.people.specialist_a, MONDAY, money=10000, content="Phí")
    new_due = at("2026-03-10 09:00")
    act(dossier, "extend_due", world.people.leader_a, at("2026-03-03 09:00"),
        reason="Chờ người nộp thực hiện nghĩa vụ tài chính", new_due_at=new_due)  # fmt: skip
    dossier = fresh(dossier)
    assert (dossier.status, dossier.due_at) == (Status.PAYMENT_REQUESTED, new_due)


@pytest.mark.parametrize(("typed", "amount"), [("50.000", 50000), ("1.500.000", 1500000),
                                               ("50000", 50000), (75000, 75000)])  # fmt: skip
def test_an_amount_typed_with_thousands_dots_is_read_as_written_back(
    world: World, typed: Any, amount: int
) -> None:
    """ "50.000" is how the system writes fifty thousand đồng to officers: read it the same way,
    never as fifty (the postal COD amount reads it so too)."""
    dossier = to_processing(world, MONDAY)
    row = act(dossier, "request_payment", world.people.specialist_a, MONDAY, money=typed,
              content="Lệ phí")  # fmt: skip
    assert row.data["amount"] == str(amount)
