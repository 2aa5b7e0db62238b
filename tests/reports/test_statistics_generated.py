"""The statistics equal a recomputation from scratch (issue #5 acceptance) on a generated data
set: 600 dossiers living the benchmark generator's lives (bench/dossier_lifecycle.py, in process)
plus 150 random walks through the statuses (several supplement requests, notes while paused,
unknown back-office actions, returns without a recorded result), across two communes. Checked
for every month and the whole year, for each commune and the province; the whole year also against
the answers the generator itself knows about each dossier."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection

from bench.dossier_lifecycle import DAY, Case, Clock, Life, live
from chinhquyen.reports.statistics import MEASURES, agency_statistics, dossiers_behind
from tests.reports.builders import VIETNAM, Step, store, vn
from tests.reports.conftest import Province
from tests.reports.reference import as_numbers, reference_statistics

FIRST, LAST = date(2026, 1, 5), date(2026, 11, 20)
NOW = vn("2026-11-21", "00:00")
YEAR = (vn("2026-01-01", "00:00"), vn("2027-01-01", "00:00"))


def instant(local_seconds: int) -> datetime:
    day, second = divmod(local_seconds, DAY)
    midnight = datetime.combine(date.fromordinal(day), time.min, tzinfo=VIETNAM)
    return midnight + timedelta(seconds=second)


def generator_lives(p: Province, rng: random.Random, count: int) -> list[Life]:
    clock = Clock(FIRST, 400, lambda d: d.weekday() < 5)
    horizon = (LAST.toordinal() + 1) * DAY - 1
    lives = []
    for _ in range(count):
        day = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1))
        submitted = day.toordinal() * DAY + rng.randrange(7 * 3600, 17 * 3600)
        case = Case(
            channel=rng.choice((1, 2, 2, 3)),
            submitted_at=submitted,
            limit_amount=rng.choice((0, 3, 5, 10, 15)),
            limit_unit=rng.choice(("working_days", "days")),
            result_online=rng.random() < 0.3,
        )
        life = live(case, clock, horizon, rng)
        steps = [Step(s.action, s.from_status, s.to_status, instant(s.at)) for s in life.steps]
        due = instant(life.due_at) if life.due_at is not None else None
        store(p.version, rng.choice((p.commune_a, p.commune_b)), steps, due)
        lives.append(life)
    return lives


NEXT = {1: (2, 3, 5, 7), 2: (4, 5, 7, 2), 4: (4, 5, 9, 7, 8, 3, 10), 5: (5, 4, 7, 2), 9: (10, 9)}
ACTIONS = {2: "accept", 3: "refuse", 4: "assign", 5: "request_supplement", 7: "withdraw"}


def random_walks(p: Province, rng: random.Random, count: int) -> None:
    for _ in range(count):
        at = vn("2026-01-05") + timedelta(hours=rng.randrange(0, 7500))
        status = rng.choice((1, 2))
        steps = [Step("submit" if status == 1 else "receive", None, status, at)]
        requests = 0
        while status in NEXT and len(steps) < 9 and at < NOW:
            choices = [s for s in NEXT[status] if not (s == 5 and status != 1 and requests >= 3)]
            nxt = rng.choice(choices)
            requests += nxt == 5 and status not in (1, 5)
            at += timedelta(hours=rng.choice((0, 1, 5, 30, 100, 300)), seconds=rng.randrange(60))
            steps.append(Step(ACTIONS.get(nxt, f"step_{nxt}"), status, nxt, at))
            status = nxt
        due = steps[0].at + timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.9 else None
        store(p.version, rng.choice((p.commune_a, p.commune_b)), steps, due)


def known_answers(lives: list[Life]) -> Counter[str]:
    """What the generator decided for each dossier, judged with Decision 766 by hand: its lives
    have at most one supplement request, answered before the result."""
    known: Counter[str] = Counter()
    for life in lives:
        known["received"] += life.received_at is not None
        final = {3: "refused", 7: "withdrawn", 8: "stopped"}.get(life.status)
        if final:
            known[final] += 1
        if life.status in (9, 10):
            at = {s.action: s.at for s in life.steps}
            paused = (
                at["submit_supplement"] - at["request_supplement"]
                if "submit_supplement" in at
                else 0
            )
            assert life.finished_at is not None and life.due_at is not None
            end, due = life.finished_at - paused, life.due_at
            on_time = end <= due
            early = on_time and end // DAY < due // DAY
            known[
                "resolved_late"
                if not on_time
                else "resolved_early"
                if early
                else "resolved_on_time"
            ] += 1
        elif life.received_at is not None and final is None:
            known["in_progress"] += 1
    return known


@pytest.mark.django_db
def test_statistics_equal_a_recomputation_from_scratch(stats_province: Province) -> None:
    rng = random.Random(20261124)
    generator_lives(stats_province, rng, 600)
    random_walks(stats_province, rng, 150)
    periods = [YEAR] + [
        (vn(f"2026-{m:02d}-01", "00:00"), vn(f"2026-{m + 1:02d}-01", "00:00")) for m in range(1, 11)
    ]
    for agency in (stats_province.root, stats_province.commune_a, stats_province.commune_b):
        for start, end in periods:
            expected = as_numbers(reference_statistics(agency, start, end, NOW), MEASURES)
            got = asdict(agency_statistics(agency, start, end, now=NOW))
            assert got == expected, (agency.name, start)
            if connection.vendor == "postgresql":  # the trigger-kept table and the rows agree
                assert asdict(agency_statistics(agency, start, end, now=NOW, from_rows=True)) == got
    year = asdict(agency_statistics(stats_province.root, *YEAR, now=NOW))
    assert year["received"] > 500 and year["resolved_late"] > 0 and year["supplement_waiting"] > 0
    # Drill-down: the dossiers behind each number are exactly as many as the number.
    for measure in MEASURES:
        assert (
            dossiers_behind(stats_province.root, *YEAR, measure, now=NOW).count() == year[measure]
        )


@pytest.mark.django_db
def test_the_generators_own_answers(stats_province: Province) -> None:
    lives = generator_lives(stats_province, random.Random(7), 500)
    known = known_answers(lives)
    year = asdict(agency_statistics(stats_province.root, *YEAR, now=NOW))
    for measure in (
        "received",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "in_progress",
        "refused",
        "withdrawn",
        "stopped",
    ):
        assert year[measure] == known[measure], measure
