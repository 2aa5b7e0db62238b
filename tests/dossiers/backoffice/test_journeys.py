"""One journey per path through the back office, each through `do_transition_dossier` only:
accept → assign → process → approve → result → return; supplement and resubmission; refusal;
late with apology; withdrawal; stop. (Liên thông paths: test_interagency.py.)"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from chinhquyen.dossiers import actions
from chinhquyen.dossiers.handling import PaperDocument, do_transition_dossier, last_seq
from chinhquyen.dossiers.models import DocumentRole, Status
from chinhquyen.dossiers.process import compute_due_at, time_limit_of
from chinhquyen.dossiers.queries import public_lookup
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.workdays.calendar import add_working_days
from tests.core import upload_samples
from tests.dossier_helpers import submitted_dossier
from tests.dossiers.backoffice.conftest import (
    World,
    act,
    actions_of,
    at,
    fresh,
    receive,
    to_processing,
)


def _templates_sent(dossier_code: str) -> set[str]:
    rows = OutboxMessage.objects.filter(dedupe_key__startswith=f"dossier:{dossier_code}:")
    return set(rows.values_list("template_code", flat=True))


def test_online_accept_assign_process_approve_result_return(world: World) -> None:
    people, unit_a = world.people, world.province.unit_a
    dossier = submitted_dossier(people.citizen, world.version)
    now = timezone.now()
    act(dossier, "accept", world.officer, now)
    dossier = fresh(dossier)
    assert dossier.status == Status.ACCEPTED
    assert dossier.received_at == now
    assert dossier.due_at == compute_due_at(time_limit_of(world.version), now,
                                            agency=world.province.agency_a)  # fmt: skip
    act(dossier, "forward", world.officer, now, unit=unit_a)
    act(dossier, "assign", world.unit_leader_a, now, assignee=people.specialist_a)
    act(dossier, "propose", people.specialist_a, now, note="Đủ điều kiện đăng ký khai sinh.")
    act(dossier, "approve", world.unit_leader_a, now)
    act(dossier, "approve", people.leader_a, now)
    result = PaperDocument("Giấy khai sinh", upload_samples.pdf(), "giay-khai-sinh.pdf")
    act(dossier, "record_result", people.specialist_a, now, result=result)
    act(dossier, "return_result", world.officer, now, collected_by="Nguyễn Văn An")

    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED
    assert dossier.finished_at == dossier.returned_at == now
    assert actions_of(dossier) == [
        "submit", "accept", "forward", "assign", "propose", "approve", "approve",
        "record_result", "return_result",
    ]  # fmt: skip
    statuses = list(dossier.transitions.order_by("seq").values_list("to_status", flat=True))
    assert statuses == [1, 2, 4, 4, 4, 4, 4, 9, 10]
    steps = [t.data.get("next_step") for t in dossier.transitions.order_by("seq")]
    assert steps == [
        None, "tiep_nhan", "tham_dinh", None, "kiem_tra", "phe_duyet", "tra_ket_qua", None, "",
    ]  # fmt: skip
    # Every step was judged (Mẫu 05): done at once, so on time or early, never late.
    verdicts = [t.data.get("verdict") for t in dossier.transitions.order_by("seq")[1:]]
    assert set(verdicts) <= {"truoc_han", "dung_han"} and None not in verdicts
    assert dossier.documents.filter(role=DocumentRole.RESULT, accepted=True).count() == 1
    assert dossier.transitions.get(action="return_result").data["collected_by"] == "Nguyễn Văn An"
    assert {"dossier.accepted", "dossier.result_ready"} <= _templates_sent(dossier.code)
    public = public_lookup(dossier.code, "5678")
    assert public is not None
    assert [step.label for step in public.steps][-3:] == [
        "Phê duyệt", "Có kết quả giải quyết", "Trả kết quả",
    ]  # fmt: skip


def test_each_row_carries_the_step_due_and_its_verdict(world: World) -> None:
    monday = at("2026-03-02 09:00")
    dossier = receive(world, monday)
    assert fresh(dossier).step_due_at == at("2026-03-02 17:00")  # Art. 18: the same day
    act(dossier, "forward", world.officer, at("2026-03-02 09:30"), unit=world.province.unit_a)
    act(dossier, "assign", world.unit_leader_a, at("2026-03-02 10:00"),
        assignee=world.people.specialist_a)  # fmt: skip
    # One working day (7.5 office hours) from Monday 09:30: Tuesday 09:30.
    assert fresh(dossier).step_due_at == at("2026-03-03 09:30")
    act(dossier, "propose", world.people.specialist_a, at("2026-03-03 09:00"))
    # 4 working hours from Tuesday 09:00: 15:00; approved Wednesday 16:00, late.
    act(dossier, "approve", world.unit_leader_a, at("2026-03-04 16:00"))
    rows = {t.action: t for t in fresh(dossier).transitions.all()}
    assert rows["forward"].step_due_at == at("2026-03-02 17:00")
    assert rows["forward"].data["verdict"] == "dung_han"
    assert rows["propose"].step_due_at == at("2026-03-03 09:30")
    assert rows["propose"].data["verdict"] == "dung_han"
    assert rows["approve"].step_due_at == at("2026-03-03 15:00")
    assert rows["approve"].data["verdict"] == "qua_han"
    assert rows["approve"].data["step"] == "kiem_tra"
    assert rows["approve"].data["next_step"] == "phe_duyet"
    assert rows["assign"].data["closes_step"] is False


def test_supplement_then_resubmission_restarts_the_time_limit(world: World) -> None:
    people = world.people
    dossier = to_processing(world, at("2026-03-02 09:00"))
    items = ["Bản sao giấy chứng sinh có chứng thực", "Tờ khai có chữ ký của người yêu cầu"]
    act(dossier, "request_supplement", people.specialist_a, at("2026-03-03 10:00"), items=items)
    dossier = fresh(dossier)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.step_due_at is None  # paused
    request = dossier.transitions.get(action="request_supplement")
    assert request.data["items"] == items
    assert request.public_note == "Cần bổ sung: " + "; ".join(items)
    assert "dossier.supplement_requested" in _templates_sent(dossier.code)

    back = at("2026-03-10 14:00")
    papers = [PaperDocument("Giấy chứng sinh", upload_samples.pdf(), "chung-sinh.pdf")]
    act(dossier, "submit_supplement", world.officer, back, documents=papers)
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING and dossier.step == "tham_dinh"
    # Decree 61/2018 Art. 19(4): counted again from the start, from the complete supplement.
    assert dossier.due_at == add_working_days(back, 3) == at("2026-03-13 14:00")
    assert dossier.step_due_at == at("2026-03-11 14:00")  # one working day from Tue 14:00
    assert dossier.documents.filter(role=DocumentRole.SUPPLEMENT).count() == 1
    act(dossier, "propose", people.specialist_a, at("2026-03-11 09:00"))
    act(dossier, "approve", world.unit_leader_a, at("2026-03-11 10:00"))
    act(dossier, "approve", people.leader_a, at("2026-03-11 11:00"))
    act(dossier, "record_result", people.specialist_a, at("2026-03-11 14:00"))
    assert fresh(dossier).status == Status.DONE


def test_refusal_with_its_reasons(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    reasons = ["Thủ tục không thuộc thẩm quyền của Sở Tư pháp", "Người nộp không phải cha, mẹ"]
    act(dossier, "refuse", world.officer, timezone.now(), reasons=reasons)
    dossier = fresh(dossier)
    assert dossier.status == Status.REFUSED and dossier.finished_at is not None
    row = dossier.transitions.get(action="refuse")
    assert row.data["reasons"] == reasons
    assert row.public_note == "Hồ sơ không được tiếp nhận. Lý do: " + "; ".join(reasons)


def test_late_dossier_apologises_once_with_a_new_date(world: World) -> None:
    people = world.people
    dossier = to_processing(world, at("2026-03-02 09:00"))  # due Thursday 05/03 09:00
    new_due = at("2026-03-10 09:00")
    act(dossier, "extend_due", people.leader_a, at("2026-03-03 16:00"),
        reason="Phải xác minh nơi sinh tại địa phương khác.", new_due_at=new_due)  # fmt: skip
    dossier = fresh(dossier)
    assert dossier.due_at == new_due
    row = dossier.transitions.get(action="extend_due")
    assert datetime.fromisoformat(row.data["old_due_at"]) == at("2026-03-05 09:00")
    assert datetime.fromisoformat(row.data["new_due_at"]) == new_due
    assert "dossier.delayed_apology" in _templates_sent(dossier.code)
    for user, action in [
        (people.specialist_a, "propose"),
        (world.unit_leader_a, "approve"),
        (people.leader_a, "approve"),
        (people.specialist_a, "record_result"),
    ]:
        act(dossier, action, user, at("2026-03-09 10:00"))
    dossier = fresh(dossier)
    assert dossier.status == Status.DONE
    assert dossier.finished_at is not None and dossier.due_at is not None
    assert dossier.finished_at <= dossier.due_at


def test_withdrawal_recorded_by_the_office_closes_the_dossier(world: World) -> None:
    dossier = to_processing(world, at("2026-03-02 09:00"))
    act(dossier, "withdraw", world.officer, at("2026-03-03 09:00"),
        reason="Người nộp có đơn xin rút hồ sơ.")  # fmt: skip
    dossier = fresh(dossier)
    assert dossier.status == Status.WITHDRAWN
    assert dossier.finished_at == at("2026-03-03 09:00")
    assert dossier.step == "" and dossier.step_due_at is None


def test_citizen_withdraws_online_while_the_specialist_has_the_page_open(world: World) -> None:
    people = world.people
    dossier = submitted_dossier(people.citizen, world.version)
    now = timezone.now()
    act(dossier, "accept", world.officer, now)
    act(dossier, "forward", world.officer, now, unit=world.province.unit_a)
    act(dossier, "assign", world.unit_leader_a, now, assignee=people.specialist_a)
    seen = last_seq(dossier)
    actions.do_withdraw_dossier(dossier, acting_user=people.citizen, reason="Không còn nhu cầu.")
    try:
        do_transition_dossier(dossier, "propose", acting_user=people.specialist_a,
                              expected_seq=seen)  # fmt: skip
    except actions.Conflict as conflict:
        assert conflict.code == "already_handled"
        assert conflict.message.startswith("Hồ sơ đã được xử lý bởi người khác (Rút hồ sơ")
    else:
        raise AssertionError("a withdrawn dossier was processed")
    assert fresh(dossier).status == Status.WITHDRAWN


def test_stop_with_its_notice(world: World) -> None:
    dossier = to_processing(world, at("2026-03-02 09:00"))
    act(dossier, "stop", world.officer, at("2026-03-02 15:00"),
        reason="Người nộp đề nghị dừng giải quyết.")  # fmt: skip
    dossier = fresh(dossier)
    assert dossier.status == Status.STOPPED
    row = dossier.transitions.get(action="stop")
    assert row.data["reason"] == "Người nộp đề nghị dừng giải quyết."
    assert row.public_note == "Hồ sơ đã dừng xử lý."
