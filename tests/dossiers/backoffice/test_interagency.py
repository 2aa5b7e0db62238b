"""Liên thông (Decree 61/2018 Art. 19(5)–(7)): opinions of other units with their own deadlines,
agencies of the same level in parallel or in sequence, and commune → province → commune under one
dossier code."""

from __future__ import annotations

import pytest

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.models import DossierTask, Status
from tests.dossiers.backoffice.conftest import (
    APPLICANT,
    World,
    act,
    actions_of,
    at,
    fresh,
    receive,
    to_processing,
)

MONDAY = at("2026-03-02 09:00")


def _tasks(world: World, order_c: int) -> list[dict[str, object]]:
    return [
        {"agency": world.province.agency_b, "content": "Xác nhận hiện trạng công trình.",
         "amount": 2, "unit": "working_days", "order": 1},
        {"agency": world.agency_c, "content": "Xác định nghĩa vụ tài chính.",
         "amount": 4, "unit": "working_hours", "order": order_c},
    ]  # fmt: skip


def test_two_agencies_in_sequence(world: World) -> None:
    specialist = world.people.specialist_a
    dossier = to_processing(world, MONDAY)
    act(dossier, "coordinate", specialist, at("2026-03-02 10:00"), tasks=_tasks(world, 2))
    task_b, task_c = DossierTask.objects.filter(dossier=dossier).order_by("order")
    assert task_b.due_at == at("2026-03-04 10:00") and task_c.started_at is None

    with pytest.raises(DomainError, match="Còn cơ quan phối hợp chưa gửi kết quả: Sở Xây dựng"):
        act(dossier, "propose", specialist, at("2026-03-02 11:00"))
    with pytest.raises(DomainError, match="Không tìm thấy phần việc đang chờ"):
        act(dossier, "complete_task", world.specialist_c, at("2026-03-02 11:00"),
            task=task_c.pk, answer="Đã xác định.")  # not started yet: it waits for B  # fmt: skip

    act(dossier, "complete_task", world.specialist_b, at("2026-03-05 09:00"),
        task=task_b.pk, answer="Hiện trạng đúng hồ sơ.")  # fmt: skip
    task_c.refresh_from_db()
    assert task_c.started_at == at("2026-03-05 09:00")
    assert task_c.due_at == at("2026-03-05 15:00")  # 4 working hours, lunch skipped
    act(dossier, "complete_task", world.specialist_c, at("2026-03-05 11:00"),
        task=task_c.pk, answer="Miễn lệ phí.")  # fmt: skip
    act(dossier, "propose", specialist, at("2026-03-05 14:00"))

    rows = {(t.action, t.data.get("agency")): t for t in fresh(dossier).transitions.all()}
    late_b = rows[("complete_task", world.province.agency_b.identifier_code)]
    on_time_c = rows[("complete_task", world.agency_c.identifier_code)]
    assert late_b.agency == world.province.agency_b and late_b.data["verdict"] == "qua_han"
    assert late_b.step_due_at == at("2026-03-04 10:00")
    assert on_time_c.agency == world.agency_c and on_time_c.data["verdict"] == "dung_han"
    assert late_b.public_note == "Sở Xây dựng đã gửi kết quả phối hợp."


def test_two_agencies_in_parallel(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "coordinate", world.people.specialist_a, MONDAY, tasks=_tasks(world, 1))
    started = DossierTask.objects.filter(dossier=dossier, started_at=MONDAY)
    assert started.count() == 2  # sent to every agency at once
    row = fresh(dossier).transitions.get(action="coordinate")
    assert row.public_note == "Hồ sơ được chuyển liên thông đến: Sở Xây dựng, Sở Tài chính."


def test_a_one_stop_officer_of_b_cannot_send_bs_part(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "coordinate", world.people.specialist_a, MONDAY, tasks=_tasks(world, 1))
    task_b = DossierTask.objects.get(dossier=dossier, agency=world.province.agency_b)
    with pytest.raises(DomainError, match="không có vai trò") as refused:
        act(dossier, "complete_task", world.people.officer_b, MONDAY, task=task_b.pk, answer="x")
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError, match="không có vai trò"):  # A's specialist answers for B
        act(dossier, "complete_task", world.people.specialist_a, MONDAY, task=task_b.pk,
            answer="x")  # fmt: skip


def test_opinion_of_another_unit_with_its_own_deadline(world: World) -> None:
    dossier = to_processing(world, MONDAY)
    act(dossier, "request_opinion", world.people.specialist_a, at("2026-03-02 10:00"),
        agency=world.unit_b, content="Cho ý kiến về thẩm quyền.", amount=1,
        unit="working_days")  # fmt: skip
    opinion = DossierTask.objects.get(dossier=dossier, kind=DossierTask.Kind.OPINION)
    assert opinion.due_at == at("2026-03-03 10:00")
    act(dossier, "answer_opinion", world.specialist_a2, at("2026-03-03 09:00"),
        task=opinion.pk, answer="Đúng thẩm quyền.")  # fmt: skip
    opinion.refresh_from_db()
    assert opinion.answer == "Đúng thẩm quyền." and opinion.done_by == world.specialist_a2
    row = fresh(dossier).transitions.get(action="answer_opinion")
    assert row.agency == world.unit_b and row.data["verdict"] == "dung_han"
    with pytest.raises(DomainError, match="đã được xử lý bởi người khác"):
        act(dossier, "answer_opinion", world.specialist_a2, at("2026-03-03 09:05"),
            task=opinion.pk, answer="Lần hai.")  # fmt: skip


def test_commune_receives_the_province_handles_the_commune_returns(world: World) -> None:
    people, commune = world.people, world.commune
    dossier = receive(world, MONDAY, acting_user=world.commune_officer, receiving_agency=commune)
    code = dossier.code
    assert code.startswith(f"{commune.identifier_code}-260302-")
    # Routed by competence: the commune received, agency A decides.
    assert dossier.receiving_agency == commune
    assert dossier.handling_agency == world.province.agency_a
    with pytest.raises(DomainError, match="UBND phường Phố Hiến"):
        act(dossier, "forward", world.officer, MONDAY)  # only the receiving office forwards
    act(dossier, "forward", world.commune_officer, at("2026-03-02 09:10"))
    assert fresh(dossier).current_agency == world.province.agency_a
    act(dossier, "assign", people.leader_a, at("2026-03-02 10:00"), assignee=people.specialist_a)
    act(dossier, "propose", people.specialist_a, at("2026-03-03 09:00"))
    act(dossier, "approve", world.unit_leader_a, at("2026-03-03 10:00"))
    act(dossier, "approve", people.leader_a, at("2026-03-03 11:00"))
    act(dossier, "record_result", people.specialist_a, at("2026-03-03 14:00"))
    dossier = fresh(dossier)
    assert dossier.current_agency == commune  # back to the office holding the receipt
    with pytest.raises(DomainError, match="không có vai trò"):
        act(dossier, "return_result", world.officer, at("2026-03-04 08:00"))
    act(dossier, "return_result", world.commune_officer, at("2026-03-04 08:00"),
        collected_by=APPLICANT.name)  # fmt: skip
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED and dossier.code == code
    agencies = [t.agency for t in dossier.transitions.order_by("seq")]
    assert agencies[0] == agencies[1] == agencies[-1] == commune
    assert world.province.unit_a in agencies  # the unit holding it while processing
    assert actions_of(dossier)[-2:] == ["record_result", "return_result"]
