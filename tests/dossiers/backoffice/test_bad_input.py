"""Refused actions: a clear Vietnamese message and nothing recorded — no transition, no change of
the dossier, no audit row, no message in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.dossiers.handling import do_transition_dossier, last_seq
from chinhquyen.dossiers.models import Dossier, DossierTask, DossierTransition
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import Role
from tests.dossiers.backoffice.conftest import World, act, at, fresh, receive, to_processing
from tests.factories import staff_with_role

MONDAY = at("2026-03-02 09:00")


def _snapshot(dossier: Dossier) -> tuple[Any, ...]:
    row = Dossier.objects.values().get(pk=dossier.pk)
    return (
        row,
        DossierTransition.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
        DossierTask.objects.count(),
    )


@contextmanager
def refused(dossier: Dossier, match: str, code: str | None = None) -> Iterator[None]:
    before = _snapshot(dossier)
    with pytest.raises(DomainError, match=match) as caught:
        yield
    if code is not None:
        assert caught.value.code == code
    assert _snapshot(dossier) == before


def _approved(world: World) -> Dossier:
    dossier = to_processing(world, MONDAY)
    act(dossier, "propose", world.people.specialist_a, MONDAY)
    act(dossier, "approve", world.unit_leader_a, MONDAY)
    act(dossier, "approve", world.people.leader_a, MONDAY)
    return fresh(dossier)


def test_an_action_the_role_does_not_allow(world: World) -> None:
    dossier = receive(world, MONDAY)
    with refused(dossier, r"không có vai trò \(Cán bộ một cửa\) tại Sở Tư pháp", "forbidden"):
        act(dossier, "forward", world.people.specialist_a, MONDAY)
    with refused(dossier, "tại Sở Tư pháp", "forbidden"):  # agency B's officer, A's dossier
        act(dossier, "forward", world.people.officer_b, MONDAY)
    with refused(dossier, "không có vai trò", "forbidden"):  # an inspector only reads
        act(dossier, "stop", world.people.inspector, MONDAY, reason="x")
    act(dossier, "forward", world.officer, MONDAY, unit=world.province.unit_a)
    act(dossier, "assign", world.unit_leader_a, MONDAY, assignee=world.people.specialist_a)
    act(dossier, "propose", world.people.specialist_a, MONDAY)
    with refused(dossier, "Lãnh đạo phòng", "forbidden"):  # the specialist approves own work
        act(dossier, "approve", world.people.specialist_a, MONDAY)


def test_an_action_the_state_does_not_allow(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "không thực hiện được “Phê duyệt”", "bad_state"):
        act(dossier, "approve", world.unit_leader_a, MONDAY)
    with refused(dossier, "không thực hiện được “Tiếp nhận hồ sơ”", "bad_state"):
        act(dossier, "accept", world.officer, MONDAY)
    with refused(dossier, "không có trong quy trình", "unknown_action"):
        act(dossier, "publish", world.officer, MONDAY)


def test_supplement_request_on_a_closed_dossier(world: World) -> None:
    dossier = _approved(world)
    act(dossier, "record_result", world.people.specialist_a, MONDAY)
    act(dossier, "return_result", world.officer, MONDAY)
    with refused(dossier, "không yêu cầu bổ sung được", "bad_state"):
        act(dossier, "request_supplement", world.officer, MONDAY, items=["Tờ khai"])


def test_supplement_request_lists_something(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "Nêu rõ các giấy tờ"):
        act(dossier, "request_supplement", world.people.specialist_a, MONDAY, items=["  ", ""])
    colleague = staff_with_role(world.province.unit_a, Role.SPECIALIST, username="dongnghiep")
    with refused(dossier, "chuyên viên khác", "forbidden"):  # a colleague, not the assignee
        act(dossier, "request_supplement", colleague, MONDAY, items=["Tờ khai"])


def test_second_move_of_the_due_date(world: World) -> None:
    dossier = to_processing(world, MONDAY)  # due Thursday 05/03 09:00
    leader = world.people.leader_a
    act(dossier, "extend_due", leader, at("2026-03-02 10:00"), reason="Cần xác minh.",
        new_due_at=at("2026-03-09 09:00"))  # fmt: skip
    with refused(dossier, "chỉ được điều chỉnh một lần", "due_already_moved"):
        act(dossier, "extend_due", leader, at("2026-03-03 10:00"), reason="Chưa xong.",
            new_due_at=at("2026-03-12 09:00"))  # fmt: skip


def test_apology_later_than_one_working_day_before_the_due_date(world: World) -> None:
    dossier = to_processing(world, MONDAY)  # due Thursday 05/03 09:00
    with refused(
        dossier, r"chậm nhất 01 ngày làm việc .* trước 09:00 04/03/2026", "apology_too_late"
    ):
        act(dossier, "extend_due", world.people.leader_a, at("2026-03-04 09:01"),
            reason="Cần xác minh.", new_due_at=at("2026-03-09 09:00"))  # fmt: skip
    with refused(dossier, "phải sau ngày hẹn trả hiện tại"):
        act(dossier, "extend_due", world.people.leader_a, at("2026-03-02 10:00"),
            reason="Cần xác minh.", new_due_at=at("2026-03-04 09:00"))  # fmt: skip
    with refused(dossier, "Lãnh đạo cơ quan", "forbidden"):  # Mẫu 04: the head of the agency
        act(dossier, "extend_due", world.unit_leader_a, at("2026-03-02 10:00"),
            reason="Cần xác minh.", new_due_at=at("2026-03-09 09:00"))  # fmt: skip


def test_a_result_nobody_approved(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "chưa được lãnh đạo phê duyệt", "bad_state"):
        act(dossier, "record_result", world.people.specialist_a, MONDAY)
    act(dossier, "propose", world.people.specialist_a, MONDAY)
    act(dossier, "approve", world.unit_leader_a, MONDAY)  # reviewed, not yet signed
    with refused(dossier, "chưa được lãnh đạo phê duyệt", "bad_state"):
        act(dossier, "record_result", world.people.specialist_a, MONDAY)
    act(dossier, "send_back", world.people.leader_a, MONDAY, note="Bổ sung căn cứ pháp lý.")
    assert fresh(dossier).step == "tham_dinh"
    with refused(dossier, "chưa được lãnh đạo phê duyệt", "bad_state"):
        act(dossier, "record_result", world.people.specialist_a, MONDAY)


def test_send_back_needs_a_reason(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "propose", world.people.specialist_a, MONDAY)
    with refused(dossier, "Nêu lý do trả lại"):
        act(dossier, "send_back", world.unit_leader_a, MONDAY)


@pytest.mark.parametrize("who", ["specialist_a2", "specialist_b", "officer"])
def test_assignment_outside_the_unit(world: World, who: str) -> None:
    dossier = receive(world, MONDAY)
    act(dossier, "forward", world.officer, MONDAY, unit=world.province.unit_a)
    assignee = getattr(world, who, None) or getattr(world.people, who)
    message = "không phải chuyên viên của Phòng Hành chính tư pháp"
    with refused(dossier, message, "assignee_outside_unit"):
        act(dossier, "assign", world.unit_leader_a, MONDAY, assignee=assignee)


def test_refusal_needs_its_reasons_and_stop_its_reason(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    with refused(dossier, "Nêu lý do"):
        act(dossier, "stop", world.officer, MONDAY, reason="   ")


def test_stop_after_the_decision_is_refused(world: World) -> None:
    dossier = _approved(world)
    with refused(dossier, "không dừng xử lý được", "bad_state"):
        act(dossier, "stop", world.officer, MONDAY, reason="Người nộp đề nghị dừng.")


def test_a_stale_view_is_a_conflict_and_records_nothing(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    seen = last_seq(dossier)
    act(dossier, "propose", world.people.specialist_a, MONDAY)  # someone else moved it
    handle: Callable[[], Any] = lambda: do_transition_dossier(  # noqa: E731
        dossier, "approve", acting_user=world.unit_leader_a, expected_seq=seen, now=MONDAY
    )
    with refused(dossier, "Hồ sơ đã được xử lý bởi người khác", "already_handled"):
        handle()
    with pytest.raises(Conflict):
        handle()
