"""The deadline sweep as a function, with the clock given: due soon is "before the end of the next
working day" (so Tết 2026, 16–20/02, and weekends are skipped), overdue is past the due instant,
the apology (Mẫu 04) is asked of the head of the agency before one working day ahead of the due
date, and a second run records and sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chinhquyen.dossiers.deadlines import do_sweep_deadlines, warning_horizon
from chinhquyen.dossiers.models import DeadlineAlert, Dossier
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import User
from tests.dossiers.backoffice.conftest import VN, World, act, at, fresh, receive, to_processing

pytestmark = pytest.mark.django_db


def alerts(dossier: Dossier) -> set[tuple[str, str, str]]:
    rows = DeadlineAlert.objects.filter(dossier=dossier)
    return {(a.subject, a.level, f"{a.due_at.astimezone(VN):%Y-%m-%d %H:%M}") for a in rows}


def mail(code: str) -> list[tuple[str, str]]:
    rows = OutboxMessage.objects.filter(template_code=code).order_by("recipient")
    return [(m.recipient.split("@")[0], m.subject) for m in rows]


@pytest.mark.parametrize(
    ("now", "horizon"),
    [
        ("2026-03-02 10:00", "2026-03-04 00:00"),  # Monday: the end of Tuesday
        ("2026-03-06 10:00", "2026-03-10 00:00"),  # Friday: the end of Monday
        ("2026-03-07 10:00", "2026-03-10 00:00"),  # Saturday: the end of Monday
        ("2026-02-13 10:00", "2026-02-24 00:00"),  # Friday before Tết: the end of Monday 23/02
        ("2026-02-17 10:00", "2026-02-24 00:00"),  # during Tết: the same
    ],
)
def test_due_soon_means_before_the_end_of_the_next_working_day(
    staff: World, now: str, horizon: str
) -> None:
    assert warning_horizon(at(now)) == at(horizon)
    assert warning_horizon(at(now), 0) == at(now[:10] + " 00:00") + timedelta(days=1)


def test_step_due_soon_then_overdue_tells_the_assignee_and_the_unit_leader(staff: World) -> None:
    dossier = to_processing(staff, at("2026-03-02 09:00"))  # Monday; appraisal: 1 working day
    assert dossier.step_due_at == at("2026-03-03 09:00")
    assert dossier.due_at == at("2026-03-05 09:00")

    report = do_sweep_deadlines(at("2026-03-02 10:00"))
    assert alerts(dossier) == {("step", "due_soon", "2026-03-03 09:00")}
    assert report.as_dict() == {"alerts": 1, "messages": 2, "step": 1}
    assert mail("staff.deadline_due_soon") == [
        ("chuyenvien_a", f"[Sắp đến hạn] Hồ sơ {dossier.code}: Bước “Thẩm định, đề xuất”"),
        ("truongphong_a", f"[Sắp đến hạn] Hồ sơ {dossier.code}: Bước “Thẩm định, đề xuất”"),
    ]
    body = OutboxMessage.objects.filter(template_code="staff.deadline_due_soon").first()
    assert body is not None and "09:00 03/03/2026" in body.body
    assert f"/can-bo/ho-so/{dossier.code}/" in body.body

    report = do_sweep_deadlines(at("2026-03-03 09:30"))
    assert ("step", "overdue", "2026-03-03 09:00") in alerts(dossier)
    assert [r for r, _s in mail("staff.deadline_overdue")] == ["chuyenvien_a", "truongphong_a"]
    # Tuesday: the due date (Thursday 09:00) is not yet "soon", but the apology must go out by
    # Wednesday 09:00, within the horizon: the head of the agency is told now.
    assert ("dossier", "due_soon", "2026-03-05 09:00") not in alerts(dossier)
    [(head, subject)] = mail("staff.apology_required")
    assert head == "lanhdao_a" and "hẹn trả 05/03/2026" in subject
    apology = OutboxMessage.objects.get(template_code="staff.apology_required")
    assert "chậm nhất lúc 09:00 04/03/2026" in apology.body

    do_sweep_deadlines(at("2026-03-04 10:00"))
    assert ("dossier", "due_soon", "2026-03-05 09:00") in alerts(dossier)
    # The dossier moves on to its next step: its due date is the same finding, not a new one.
    act(dossier, "propose", staff.people.specialist_a, at("2026-03-04 10:10"))
    before = DeadlineAlert.objects.filter(subject="dossier").count()
    do_sweep_deadlines(at("2026-03-04 10:15"))
    assert DeadlineAlert.objects.filter(subject="dossier").count() == before
    do_sweep_deadlines(at("2026-03-05 09:01"))
    assert ("dossier", "overdue", "2026-03-05 09:00") in alerts(dossier)


def test_running_twice_records_and_sends_nothing_new(staff: World) -> None:
    to_processing(staff, at("2026-03-02 09:00"))
    first = do_sweep_deadlines(at("2026-03-03 09:30"))
    counts = (DeadlineAlert.objects.count(), OutboxMessage.objects.count())
    again = do_sweep_deadlines(at("2026-03-03 09:30"))
    later = do_sweep_deadlines(at("2026-03-03 11:45"))
    assert first.alerts and again.alerts == [] and later.alerts == []
    assert (DeadlineAlert.objects.count(), OutboxMessage.objects.count()) == counts


def test_across_tet_2026(staff: World) -> None:
    # Friday 13/02, the last working day before Tết: the appraisal is due on Monday 23/02.
    dossier = to_processing(staff, at("2026-02-13 09:00"))
    assert dossier.step_due_at == at("2026-02-23 09:00")
    do_sweep_deadlines(at("2026-02-13 10:00"))
    assert alerts(dossier) == {("step", "due_soon", "2026-02-23 09:00")}
    # Received Wednesday 11/02, due Monday 23/02: the apology is due on Friday 13/02 09:00, one
    # working day before, so the head of the agency hears of it on Thursday 12/02.
    early = to_processing(staff, at("2026-02-11 09:00"))
    assert early.due_at == at("2026-02-23 09:00")
    OutboxMessage.objects.all().delete()
    do_sweep_deadlines(at("2026-02-12 10:00"))
    assert ("apology", "due_soon", "2026-02-23 09:00") in alerts(early)
    apology = OutboxMessage.objects.get(template_code="staff.apology_required")
    assert "chậm nhất lúc 09:00 13/02/2026" in apology.body
    assert ("dossier", "due_soon", "2026-02-23 09:00") not in alerts(early)
    # During Tết nothing new is due before Monday 23/02's end except what was found already.
    do_sweep_deadlines(at("2026-02-18 10:00"))
    assert ("dossier", "due_soon", "2026-02-23 09:00") in alerts(early)


def test_across_a_weekend(staff: World) -> None:
    friday = to_processing(staff, at("2026-03-06 09:00"))  # appraisal due Monday 09/03 09:00
    thursday = to_processing(staff, at("2026-03-05 16:00"))  # appraisal due Friday 06/03 16:00
    do_sweep_deadlines(at("2026-03-06 10:00"))
    assert alerts(friday) == {("step", "due_soon", "2026-03-09 09:00")}
    assert ("step", "due_soon", "2026-03-06 16:00") in alerts(thursday)
    # A step due Tuesday is not "soon" on Friday.
    later = to_processing(staff, at("2026-03-09 09:00"))
    do_sweep_deadlines(at("2026-03-06 10:30"))
    assert alerts(later) == set()


def test_closed_and_paused_dossiers_are_left_alone(staff: World) -> None:
    when = at("2026-03-02 09:00")
    paused = to_processing(staff, when)
    act(paused, "request_supplement", staff.people.specialist_a, when, items=["Bản sao sổ đỏ"])
    stopped = to_processing(staff, when)
    act(stopped, "stop", staff.officer, when, reason="Người nộp đề nghị dừng")
    withdrawn = receive(staff, when)
    act(withdrawn, "withdraw", staff.officer, when, reason="Rút hồ sơ")
    do_sweep_deadlines(at("2026-03-20 10:00"))
    for dossier in (paused, stopped, withdrawn):
        assert alerts(dossier) == set()
    assert OutboxMessage.objects.filter(template_code__startswith="staff.").count() == 0


def test_a_moved_due_date_needs_no_second_apology(staff: World) -> None:
    dossier = to_processing(staff, at("2026-03-02 09:00"))  # due Thursday 05/03 09:00
    act(dossier, "extend_due", staff.people.leader_a, at("2026-03-03 08:00"),
        reason="Cần xác minh thực địa", new_due_at=at("2026-03-10 09:00"))  # fmt: skip
    do_sweep_deadlines(at("2026-03-06 10:00"))
    assert {s for s, _level, _due in alerts(fresh(dossier))} == {"step"}
    do_sweep_deadlines(at("2026-03-09 10:00"))
    assert ("dossier", "due_soon", "2026-03-10 09:00") in alerts(dossier)
    assert not DeadlineAlert.objects.filter(subject="apology").exists()


def test_task_deadlines_tell_the_unit_asked_and_the_officer_who_asked(staff: World) -> None:
    when = at("2026-03-02 09:00")
    dossier = to_processing(staff, when)
    act(dossier, "request_opinion", staff.people.specialist_a, when,
        agency=staff.province.agency_b, content="Cho ý kiến về quy hoạch", amount="2",
        unit="working_days")  # fmt: skip
    task = dossier.tasks.get()
    assert task.due_at == at("2026-03-04 09:00")
    do_sweep_deadlines(at("2026-03-03 08:00"))
    assert DeadlineAlert.objects.filter(task=task, level="due_soon").count() == 1
    do_sweep_deadlines(at("2026-03-04 10:00"))
    overdue = DeadlineAlert.objects.get(task=task, level="overdue")
    assert sorted(overdue.recipients) == ["chuyenvien_a", "lanhdao_b"]
    told = [m for m in mail("staff.deadline_overdue") if "Lấy ý kiến" in m[1]]
    assert told == [
        (who, f"[Quá hạn] Hồ sơ {dossier.code}: Phần việc “Lấy ý kiến” gửi Sở Xây dựng")
        for who in ("chuyenvien_a", "lanhdao_b")
    ]
    # Answered: nothing more about it.
    act(dossier, "answer_opinion", staff.leader_b, at("2026-03-04 11:00"), task=task.pk,
        answer="Phù hợp quy hoạch")  # fmt: skip
    before = DeadlineAlert.objects.filter(task=task).count()
    do_sweep_deadlines(at("2026-03-05 10:00"))
    assert DeadlineAlert.objects.filter(task=task).count() == before


def test_a_bad_address_does_not_stop_the_others(staff: World) -> None:
    User.objects.filter(username="truongphong_a").update(email="khong-phai-email")
    to_processing(staff, at("2026-03-02 09:00"))
    report = do_sweep_deadlines(at("2026-03-02 10:00"))
    assert report.as_dict() == {"alerts": 1, "messages": 1, "step": 1}
    assert [who for who, _subject in mail("staff.deadline_due_soon")] == ["chuyenvien_a"]
