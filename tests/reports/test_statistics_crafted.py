"""Hand-checked numbers for one commune and one month (November 2026), one dossier per rule of
Decision 766 indicator 2.1 (onestop.md §4.1), on SQLite and PostgreSQL; the reference recomputation
and the drill-down agree with every number."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from chinhquyen.reports.statistics import MEASURES, agency_statistics, dossiers_behind
from tests.reports.builders import Step, store, vn
from tests.reports.conftest import Province
from tests.reports.reference import as_numbers, reference_statistics

NOVEMBER = (vn("2026-11-01", "00:00"), vn("2026-12-01", "00:00"))
NOW = vn("2026-12-15", "09:00")
DUE = vn("2026-11-10", "17:00")


def received(day: str, *more: Step) -> list[Step]:
    """Received at the counter at 8:00 and forwarded to the specialist at 9:00."""
    return [Step("receive", None, 2, vn(day)), Step("forward", 2, 4, vn(day, "09:00")), *more]


def done(day: str, clock: str = "10:00") -> Step:
    return Step("record_result", 4, 9, vn(day, clock))


def ask(day: str) -> Step:
    return Step("request_supplement", 4, 5, vn(day, "09:00"))


def answer(day: str) -> Step:
    return Step("submit_supplement", 5, 4, vn(day, "09:00"))


def crafted(p: Province) -> dict[str, int]:
    """Stores the month's dossiers; returns the name of each one → its id."""
    a, v = p.commune_a, p.version
    cases = {
        "early": (
            received(
                "2026-11-02", done("2026-11-06"), Step("return_result", 9, 10, vn("2026-11-07"))
            ),
            DUE,
        ),
        # Unknown back-office actions (assign, approve) are neutral.
        "on_time": (
            received(
                "2026-11-02",
                Step("assign", 4, 4, vn("2026-11-03")),
                Step("approve", 4, 4, vn("2026-11-09")),
                done("2026-11-10", "15:00"),
            ),
            DUE,
        ),
        "late": (received("2026-11-02", done("2026-11-12", "09:00")), DUE),
        # Three days waiting for the citizen are subtracted: 13/11 16:00 counts as 10/11 16:00.
        "paused_on_time": (
            received(
                "2026-11-02", ask("2026-11-04"), answer("2026-11-07"), done("2026-11-13", "16:00")
            ),
            DUE,
        ),
        # Finished well before its due date, but a second supplement request makes it late.
        "two_supplements": (
            received(
                "2026-11-02",
                ask("2026-11-03"),
                answer("2026-11-04"),
                ask("2026-11-05"),
                answer("2026-11-06"),
                done("2026-11-09"),
            ),
            vn("2026-11-20", "17:00"),
        ),
        "refused": (
            [
                Step("submit", None, 1, vn("2026-11-03")),
                Step("refuse", 1, 3, vn("2026-11-03", "15:00")),
            ],
            None,
        ),
        "withdrawn": (
            received("2026-11-02", Step("withdraw", 4, 7, vn("2026-11-05"))),
            vn("2026-11-20", "17:00"),
        ),
        "overdue": (received("2026-11-02"), vn("2026-11-20", "17:00")),
        "in_time": (received("2026-11-25"), vn("2026-12-05", "17:00")),
        # Waiting for a supplement at the end of the month: judged at its request time.
        "waiting": (received("2026-11-10", ask("2026-11-18")), vn("2026-11-20", "17:00")),
        "stopped": (
            received("2026-11-03", Step("stop", 4, 8, vn("2026-11-08"))),
            vn("2026-11-20", "17:00"),
        ),
        "carried_over": (received("2026-10-20", done("2026-11-04")), vn("2026-11-05", "17:00")),
        "october_only": (received("2026-10-01", done("2026-10-15")), vn("2026-10-20", "17:00")),
        "ends_in_december": (received("2026-11-20", done("2026-12-02")), vn("2026-12-03", "17:00")),
    }
    ids = {name: store(v, a, steps, due).pk for name, (steps, due) in cases.items()}
    ids["other_commune"] = store(v, p.commune_b, received("2026-11-03", done("2026-11-05")), DUE).pk
    return ids


EXPECTED_COMMUNE_A = {
    "received": {
        "early",
        "on_time",
        "late",
        "paused_on_time",
        "two_supplements",
        "withdrawn",
        "overdue",
        "in_time",
        "waiting",
        "stopped",
        "ends_in_december",
    },
    "carried_over": {"carried_over"},
    "resolved": {"early", "on_time", "late", "paused_on_time", "two_supplements", "carried_over"},
    "resolved_early": {"early", "carried_over"},
    "resolved_on_time": {"on_time", "paused_on_time"},
    "resolved_late": {"late", "two_supplements"},
    "in_progress": {"overdue", "in_time", "waiting", "ends_in_december"},
    "in_progress_on_time": {"in_time", "waiting", "ends_in_december"},
    "in_progress_overdue": {"overdue"},
    "supplement_waiting": {"waiting"},
    "refused": {"refused"},
    "withdrawn": {"withdrawn"},
    "stopped": {"stopped"},
}


@pytest.mark.django_db
def test_november_of_commune_a_by_hand(stats_province: Province) -> None:
    ids = crafted(stats_province)
    expected = {m: {ids[name] for name in names} for m, names in EXPECTED_COMMUNE_A.items()}
    stats = agency_statistics(stats_province.commune_a, *NOVEMBER, now=NOW)
    assert asdict(stats) == {m: len(names) for m, names in expected.items()}
    assert stats.on_time_rate == pytest.approx(100 * 7 / 10)
    for measure, wanted in expected.items():
        behind = dossiers_behind(stats_province.commune_a, *NOVEMBER, measure, now=NOW)
        assert set(behind.values_list("pk", flat=True)) == wanted, measure
    reference = reference_statistics(stats_province.commune_a, *NOVEMBER, now=NOW)
    assert {m: reference.get(m, set()) for m in MEASURES} == expected


@pytest.mark.django_db
def test_the_province_adds_its_other_commune(stats_province: Province) -> None:
    crafted(stats_province)
    commune = agency_statistics(stats_province.commune_a, *NOVEMBER, now=NOW)
    province = agency_statistics(stats_province.root, *NOVEMBER, now=NOW)
    assert province.received == commune.received + 1
    assert province.resolved_early == commune.resolved_early + 1
    assert agency_statistics(stats_province.commune_b, *NOVEMBER, now=NOW).resolved == 1


@pytest.mark.django_db
def test_a_past_moment_reads_as_it_stood_then(stats_province: Province) -> None:
    """5 November at noon: the paused dossier is waiting (judged at its request, on time), the
    dossier with two requests is waiting on the second (overdue), and October's rows stand."""
    ids = crafted(stats_province)
    period = (vn("2026-11-01", "00:00"), vn("2026-11-05", "12:00"))
    waiting = dossiers_behind(stats_province.commune_a, *period, "supplement_waiting", now=NOW)
    assert set(waiting.values_list("pk", flat=True)) == {
        ids["paused_on_time"],
        ids["two_supplements"],
    }
    overdue = dossiers_behind(stats_province.commune_a, *period, "in_progress_overdue", now=NOW)
    assert ids["two_supplements"] in set(overdue.values_list("pk", flat=True))
    assert ids["paused_on_time"] not in set(overdue.values_list("pk", flat=True))
    october = agency_statistics(
        stats_province.commune_a, vn("2026-10-01", "00:00"), NOVEMBER[0], now=NOW
    )
    assert (october.received, october.resolved, october.resolved_early) == (2, 1, 1)
    assert (october.in_progress, october.in_progress_on_time) == (1, 1)
    for start, end in (period, NOVEMBER, (NOVEMBER[0], NOW), (NOVEMBER[0], vn("2027-01-01"))):
        expected = as_numbers(
            reference_statistics(stats_province.commune_a, start, end, NOW), MEASURES
        )
        assert asdict(agency_statistics(stats_province.commune_a, start, end, now=NOW)) == expected


def test_a_naive_instant_is_refused(stats_province: Province) -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        agency_statistics(stats_province.root, datetime(2026, 11, 1), NOVEMBER[1], now=NOW)
