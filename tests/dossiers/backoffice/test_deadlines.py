"""Due dates are the `workdays` computation, across Tết 2026 (16–20/02/2026 off): from acceptance,
out-of-hours receptions counting from the next office opening, the 15:00 cut-off for limits "within
the day" and for the transfer, the restart after a supplement, the last day for the apology."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from chinhquyen.dossiers.process import one_working_day_before, verdict_of
from chinhquyen.workdays.calendar import add_working_days
from tests.dossier_helpers import publish_procedure, submitted_dossier
from tests.dossiers.backoffice.conftest import World, act, at, fresh, receive, to_processing
from tests.factories import staff_with_role

WITHIN_THE_DAY = {"value": "0", "unit": "working_days", "note": "Trong ngày"}


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-02-13 16:00", "2026-02-25 16:00"),  # ADR 0002's example
        ("2026-02-12 18:30", "2026-02-25 07:30"),  # evening: counts from Friday 07:30
        ("2026-02-14 10:00", "2026-02-26 07:30"),  # Saturday: from Monday 23/02 07:30
        ("2026-02-16 09:00", "2026-02-26 07:30"),  # a Tết day: the same
        ("2026-02-11 12:00", "2026-02-23 13:30"),  # lunch: from 13:30
    ],
)
def test_three_working_days_across_tet(world: World, received: str, due: str) -> None:
    dossier = receive(world, at(received))
    assert dossier.due_at == add_working_days(at(received), 3) == at(due)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-02-12 14:59", "2026-02-12 17:00"),
        ("2026-02-12 15:00", "2026-02-12 17:00"),  # the cut-off itself is still the same day
        ("2026-02-12 15:01", "2026-02-13 17:00"),  # Decree 61/2018 Art. 18: after 15:00
        ("2026-02-13 15:30", "2026-02-23 17:00"),  # ... and the next working day is after Tết
    ],
)
def test_within_the_day_and_the_1500_cut_off(world: World, received: str, due: str) -> None:
    world.version = publish_procedure(
        world.province.agency_a, national_code="1.001193.000.00.00.H99", time_limit=WITHIN_THE_DAY
    )
    dossier = receive(world, at(received))
    assert dossier.due_at == at(due)
    assert dossier.step_due_at == at(due)  # the transfer follows the same rule


def test_online_acceptance_counts_from_acceptance_not_submission(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    act(dossier, "accept", world.officer, at("2026-02-13 16:00"))
    assert fresh(dossier).due_at == at("2026-02-25 16:00")


def test_the_time_limit_restarts_from_the_complete_supplement(world: World) -> None:
    dossier = to_processing(world, at("2026-02-10 09:00"))
    assert dossier.due_at == at("2026-02-13 09:00")
    act(dossier, "request_supplement", world.people.specialist_a, at("2026-02-11 10:00"),
        items=["Giấy chứng sinh"])  # fmt: skip
    act(dossier, "submit_supplement", world.officer, at("2026-02-13 16:00"))
    dossier = fresh(dossier)
    assert dossier.due_at == at("2026-02-25 16:00")
    row = dossier.transitions.get(action="submit_supplement")
    assert datetime.fromisoformat(row.data["due_at"]) == at("2026-02-25 16:00")


def test_a_supplement_before_acceptance_sets_no_due_date(world: World) -> None:
    dossier = submitted_dossier(world.people.citizen, world.version)
    act(dossier, "request_supplement", world.officer, timezone.now(), items=["Tờ khai"])
    act(dossier, "submit_supplement", world.officer, timezone.now())
    dossier = fresh(dossier)
    assert dossier.status == 1 and dossier.due_at is None


def test_the_apology_deadline_skips_tet(world: World) -> None:
    due = at("2026-02-23 09:00")
    assert one_working_day_before(due, agency=world.province.agency_a) == at("2026-02-13 09:00")


def test_apology_across_tet_end_to_end(world: World) -> None:
    dossier = to_processing(world, at("2026-02-12 09:00"))  # due Tuesday 24/02 09:00
    leader = staff_with_role(world.province.agency_a, "agency_leader", username="giamdoc")
    with pytest.raises(Exception, match="trước 09:00 23/02/2026"):
        act(dossier, "extend_due", leader, at("2026-02-23 10:00"), reason="Chậm xác minh.",
            new_due_at=at("2026-03-02 09:00"))  # fmt: skip
    act(dossier, "extend_due", leader, at("2026-02-13 10:00"), reason="Chậm xác minh.",
        new_due_at=at("2026-03-02 09:00"))  # fmt: skip
    assert fresh(dossier).due_at == at("2026-03-02 09:00")


@pytest.mark.parametrize(
    ("done", "verdict"),
    [
        ("2026-03-04 17:00", "truoc_han"),
        ("2026-03-05 08:00", "dung_han"),
        ("2026-03-05 09:00", "dung_han"),
        ("2026-03-05 09:01", "qua_han"),
    ],
)
def test_verdict_of_a_step(done: str, verdict: str) -> None:
    assert verdict_of(at(done), at("2026-03-05 09:00")) == verdict
