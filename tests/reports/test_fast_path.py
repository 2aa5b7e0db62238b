# SQL text here is assembled from the app's constants only.
# ruff: noqa: S608
"""What makes a province-wide year fast (ADR 0019) changes no number: the generated columns of
the PostgreSQL facts table equal the same columns folded afresh from the rows, a subtree read by
naming the agencies outside it counts neither more nor less than one read by naming its own, and
every period end — before, during and after the dossiers' events — agrees with the reference."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.db import connection

from chinhquyen.reports.facts import DERIVED_COLUMNS, facts_from_rows
from chinhquyen.reports.statistics import (
    MEASURES,
    DossiersBehind,
    _query,
    agency_statistics,
    dossiers_behind,
)
from tests.factories import AgencyFactory
from tests.reports.builders import Step, procedure_version, store, vn
from tests.reports.conftest import Province
from tests.reports.reference import as_numbers, reference_statistics
from tests.reports.test_statistics_crafted import crafted

NOVEMBER = (vn("2026-11-01", "00:00"), vn("2026-12-01", "00:00"))


@pytest.mark.django_db
def test_the_generated_columns_equal_the_fold(stats_province: Province) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the generated columns live in the PostgreSQL facts table")
    crafted(stats_province)
    columns = ", ".join(("dossier_id", *DERIVED_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM reports_dossierfacts ORDER BY dossier_id")
        stored = cursor.fetchall()
        cursor.execute(
            f"WITH {facts_from_rows('postgresql', 'TRUE')} SELECT {columns} FROM f"
            " ORDER BY dossier_id"
        )
        folded = cursor.fetchall()
    assert stored == folded and len(stored) >= 15
    verdicts = {row[DERIVED_COLUMNS.index("verdict") + 1] for row in stored}
    assert verdicts == {None, 1, 2, 3}  # open or closed, early, on time, late


def other_province() -> None:
    """A second tree with a dossier of every kind: never counted in the first one's numbers."""
    root = AgencyFactory.create(identifier_code="000.00.00.H97", name="UBND tỉnh Khác")
    commune = AgencyFactory.create(identifier_code="001.00.00.H97", name="UBND xã C", parent=root)
    steps = [
        Step("receive", None, 2, vn("2026-11-02")),
        Step("record_result", 2, 9, vn("2026-11-03")),
    ]
    store(procedure_version(), commune, steps, vn("2026-11-05"))
    store(procedure_version(), commune, steps[:1], vn("2026-11-05"))


@pytest.mark.django_db
def test_a_subtree_read_either_way_counts_the_same(stats_province: Province) -> None:
    p = stats_province
    crafted(p)
    other_province()
    now = vn("2026-12-15", "09:00")
    # The province is 3 of 5 agencies: read by naming the 2 outside; a commune by naming itself.
    if connection.vendor == "postgresql":
        assert "<> ALL" in _query(p.root, *NOVEMBER, now, from_rows=False)[0]
        assert "= ANY" in _query(p.commune_a, *NOVEMBER, now, from_rows=False)[0]
    for agency in (p.root, p.commune_a, p.commune_b):
        numbers = asdict(agency_statistics(agency, *NOVEMBER, now=now))
        assert numbers == asdict(agency_statistics(agency, *NOVEMBER, now=now, from_rows=True))
        expected = as_numbers(reference_statistics(agency, *NOVEMBER, now=now), MEASURES)
        assert numbers == expected, agency.name
    province = agency_statistics(p.root, *NOVEMBER, now=now)
    communes = [agency_statistics(c, *NOVEMBER, now=now) for c in (p.commune_a, p.commune_b)]
    assert province.received == sum(c.received for c in communes)


@pytest.mark.django_db
@pytest.mark.parametrize("days", [-20, 0, 3, 6, 9, 12, 15, 40])
def test_every_period_end_agrees_with_the_reference(stats_province: Province, days: int) -> None:
    """Period ends cut the crafted histories at every stage, so a dossier is judged on its
    stored verdict (ended before the end) or on the full rule (open, or ending after it); a
    period that starts after `now` too (the end is capped before the start)."""
    p = stats_province
    crafted(p)
    start = vn("2026-11-01", "00:00")
    for end in (start + timedelta(days=days + 1), start + timedelta(days=30)):
        now = start + timedelta(days=days, hours=11)
        numbers = asdict(agency_statistics(p.commune_a, start, end, now=now))
        expected = as_numbers(reference_statistics(p.commune_a, start, end, now=now), MEASURES)
        assert numbers == expected, (days, end)


@pytest.mark.django_db
def test_the_drill_down_list_pages_through_exactly_the_counted(stats_province: Province) -> None:
    """`DossiersBehind` (the staff page's list): its count, every slice and its verdicts agree
    with `dossiers_behind` for every measure; slices past the end are empty."""
    p = stats_province
    crafted(p)
    now = vn("2026-12-15", "09:00")
    for measure in MEASURES:
        listed = DossiersBehind(p.commune_a, *NOVEMBER, measure, now=now)
        expected = set(dossiers_behind(p.commune_a, *NOVEMBER, measure, now=now))
        assert listed.count() == len(listed) == len(expected), measure
        pages = [listed[start : start + 2] for start in range(0, len(expected) + 2, 2)]
        seen = [dossier for page in pages for dossier in page]
        assert set(seen) == expected and len(seen) == len(expected), measure
        assert [d.pk for d in seen] == sorted(d.pk for d in seen)  # id order, no repeats
        assert listed[len(expected) : len(expected) + 5] == [] and list(listed) == seen
        if expected:
            assert listed[0] == seen[0]
    late = DossiersBehind(p.commune_a, *NOVEMBER, "resolved_late", now=now)
    assert {d.verdict for d in late[0:50]} == {"Giải quyết quá hạn"}  # type: ignore[attr-defined]
    waiting = DossiersBehind(p.commune_a, *NOVEMBER, "supplement_waiting", now=now)
    assert waiting.count() > 0
    assert all(d.verdict.endswith("(chờ bổ sung)") for d in waiting[0:50])  # type: ignore[attr-defined]
    with pytest.raises(IndexError):
        late[10_000]
    with pytest.raises(ValueError, match="unknown measure"):
        DossiersBehind(p.commune_a, *NOVEMBER, "khong_co")
