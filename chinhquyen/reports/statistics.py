# SQL text here is assembled from this app's constants only; every value is a parameter.
# ruff: noqa: S608
"""Agency statistics for a period and an agency subtree (issue #5 §8), computed from the
dossiers' transition rows with the on-time rule of Decision 766/QĐ-TTg, indicator 2.1
(onestop.md §4.1):

- a dossier is on time when its end of processing is no later than its due date (NgayKetThucXuLy
  ≤ NgayHenTra); the end of processing is the first step into 9 (Đã xử lý xong), else into 10
  (Đã trả kết quả); refusal (3), withdrawal (7) and stop (8) are end states counted apart;
- the time the citizen spends on a supplement is subtracted: the end counts as
  end − (supplement completed − supplement requested);
- more than one supplement request counts as late;
- an unfinished dossier is judged at the end of the period; one waiting for a supplement at that
  moment is judged at its request time.

"Early" (trước hạn) is on time and on a Vietnam calendar day before the due day; "on time"
(đúng hạn) is the rest of the on-time ones. The due date is the dossier's NgayHenTra
(`Dossier.due_at`, moved only by the actions): no transition row carries it yet. A dossier without
a due date is late only through a second supplement request. Only the first pause is ever
subtracted (a second request makes the dossier late anyway); whether a dossier waits for a
supplement at a past moment is read from its first, second and last pauses, which is exact up to
three requests.

The period is [start, end); `end` is capped at `now`, so the current period is judged as of now.
The agency subtree is that of the dossier's handling agency (cơ quan giải quyết). Every number
comes from one classification per dossier, shared by the totals and by `dossiers_behind`, so a
drill-down always lists exactly the dossiers counted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, overload

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from chinhquyen.dossiers.models import Dossier
from chinhquyen.org.models import Agency
from chinhquyen.reports.facts import (
    EARLY,
    LATE,
    ON_TIME,
    Vendor,
    facts_from_rows_in,
    facts_from_table,
    instant_parameter,
    local_day,
)


@dataclass(frozen=True)
class AgencyStatistics:
    received: int  # first reception (to 2) in the period
    carried_over: int  # received before the period, not ended at its start
    resolved: int  # end of processing (9, else 10) in the period
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress: int  # received, not ended at the end of the period
    in_progress_on_time: int
    in_progress_overdue: int
    supplement_waiting: int  # in progress and waiting for the citizen's supplement
    refused: int
    withdrawn: int
    stopped: int

    @property
    def on_time_rate(self) -> float | None:
        """Decision 766 indicator 2.1: (resolved early or on time + in progress within time) /
        (resolved + in progress), in percent rounded to 2 decimals; None when nothing counts."""
        counted = self.resolved + self.in_progress
        if not counted:
            return None
        good = self.resolved_early + self.resolved_on_time + self.in_progress_on_time
        return round(100 * good / counted, 2)


MEASURES = tuple(f.name for f in fields(AgencyStatistics))

# Each dossier gets three small codes, computed once: how it entered the period (`intake`), where
# it stands at the period's end (`outcome`) and whether it waits for a supplement then. Every
# measure is a condition on them, so the totals are one GROUP BY over a handful of groups.
_RECEIVED, _CARRIED_OVER = 1, 2
_EARLY, _ON_TIME, _LATE, _IN_TIME, _OVERDUE = EARLY, ON_TIME, LATE, 4, 5
_REFUSED, _WITHDRAWN, _STOPPED = 30, 70, 80  # ten times the status code
_WHERE: dict[str, tuple[str, tuple[int, ...]]] = {
    "received": ("intake", (_RECEIVED,)),
    "carried_over": ("intake", (_CARRIED_OVER,)),
    "resolved": ("outcome", (_EARLY, _ON_TIME, _LATE)),
    "resolved_early": ("outcome", (_EARLY,)),
    "resolved_on_time": ("outcome", (_ON_TIME,)),
    "resolved_late": ("outcome", (_LATE,)),
    "in_progress": ("outcome", (_IN_TIME, _OVERDUE)),
    "in_progress_on_time": ("outcome", (_IN_TIME,)),
    "in_progress_overdue": ("outcome", (_OVERDUE,)),
    "supplement_waiting": ("waiting", (1,)),
    "refused": ("outcome", (_REFUSED,)),
    "withdrawn": ("outcome", (_WITHDRAWN,)),
    "stopped": ("outcome", (_STOPPED,)),
}


def _judged(vendor: Vendor, facts: str) -> str:
    """Common table expressions ending in `coded`: each dossier judged at the period's end `c`;
    events at or after `c` are ignored, so a past period reads as it stood then.

    PostgreSQL inlines these expressions into one per-row computation, so they are written flat
    on the facts' own columns rather than stacked on one another. A dossier that ended, with
    every event before `c` (`settled`), is judged on the derived columns (`facts.derived_columns`:
    the same rule with nothing left to cut at `c`); only open or recent ones take the full rule,
    and those that ended before both `s` and `c` are not read at all."""
    param = instant_parameter(vendor)

    def before(column: str) -> str:
        return f"CASE WHEN f.{column} < p.c THEN f.{column} END"

    # Decision 766: the time waiting for the first supplement is subtracted from the end.
    paused = "CASE WHEN q1 <= res THEN (CASE WHEN a1 < res THEN a1 ELSE res END) - q1 ELSE 0 END"
    # In progress: judged at the end of the period, or at the open first request.
    judged_at = "CASE WHEN q1 < c THEN (CASE WHEN a1 < c THEN c - (a1 - q1) ELSE q1 END) ELSE c END"

    def is_open(asked: str, answered: str) -> str:
        return f"({asked} < c AND ({answered} IS NULL OR {answered} >= c))"

    return f"""
WITH p AS (SELECT {param} AS s, {param} AS c),
{facts},
k AS (
  SELECT f.dossier_id, f.handling_agency_id, f.due_at, p.s, p.c,
    {before("received_at")} AS r,
    CASE WHEN f.done_at < p.c THEN f.done_at WHEN f.returned_at < p.c THEN f.returned_at END
      AS res,
    {before("refused_at")} AS k3, {before("withdrawn_at")} AS k7, {before("stopped_at")} AS k8,
    f.first_asked_at AS q1, f.first_answered_at AS a1,
    f.second_asked_at AS q2, f.second_answered_at AS a2,
    f.last_asked_at AS ql, f.last_answered_at AS al,
    f.received_at AS r0, f.resolved_at AS res0, f.verdict AS verdict0,
    f.closed_kind AS kind0, f.closed_at AS closed0, f.settled_at < p.c AS settled
  FROM f CROSS JOIN p
  -- Ended before the period and before its end: counted nowhere (ADR 0019).
  WHERE f.settled_at IS NULL OR f.settled_at >= p.s OR f.settled_at >= p.c
),
e AS (
  SELECT k.*,
    CASE WHEN k3 <= COALESCE(k7, k3) AND k3 <= COALESCE(k8, k3) THEN 3
         WHEN k7 <= COALESCE(k8, k7) THEN 7
         WHEN k8 IS NOT NULL THEN 8 END AS closed_kind,
    CASE WHEN k3 <= COALESCE(k7, k3) AND k3 <= COALESCE(k8, k3) THEN k3
         WHEN k7 <= COALESCE(k8, k7) THEN k7
         ELSE k8 END AS closed_at
  FROM k
),
coded AS (
  SELECT dossier_id, handling_agency_id,
    CASE WHEN settled THEN
      CASE WHEN r0 >= s THEN {_RECEIVED}
           WHEN r0 < s AND NOT COALESCE(CASE WHEN res0 IS NOT NULL THEN res0 < s
                                             ELSE closed0 < s END, FALSE)
             THEN {_CARRIED_OVER}
           ELSE 0 END
    WHEN r >= s THEN {_RECEIVED}
         WHEN r < s AND NOT COALESCE(CASE WHEN res IS NOT NULL THEN res < s
                                          ELSE closed_at < s END, FALSE)
           THEN {_CARRIED_OVER}
         ELSE 0 END AS intake,
    CASE WHEN settled THEN
      CASE WHEN res0 >= s THEN verdict0
           WHEN res0 IS NOT NULL THEN 0
           WHEN closed0 >= s THEN kind0 * 10
           ELSE 0 END
    WHEN res >= s THEN
           CASE WHEN q2 <= res OR due_at < res - ({paused}) THEN {_LATE}
                WHEN {local_day(f"res - ({paused})")} < {local_day("due_at")} THEN {_EARLY}
                ELSE {_ON_TIME} END
         WHEN res IS NOT NULL THEN 0
         WHEN r IS NOT NULL AND closed_kind IS NULL THEN
           CASE WHEN q2 < c OR due_at < {judged_at} THEN {_OVERDUE} ELSE {_IN_TIME} END
         WHEN closed_at >= s THEN closed_kind * 10
         ELSE 0 END AS outcome,
    CASE WHEN settled THEN 0
         WHEN r IS NOT NULL AND res IS NULL AND closed_kind IS NULL
           AND ({is_open("q1", "a1")} OR {is_open("q2", "a2")} OR {is_open("ql", "al")})
         THEN 1 ELSE 0 END AS waiting
  FROM e
)"""


def _query(
    agency: Agency,
    start: datetime,
    end: datetime,
    now: datetime | None,
    *,
    from_rows: bool,
    subtree: bool = True,
) -> tuple[str, list[Any]]:
    vendor: Vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    cutoff = min(end, now or timezone.now())
    if timezone.is_naive(start) or timezone.is_naive(cutoff):
        raise ValueError("statistics need timezone-aware instants")
    # SQLite has no trigger-kept table: it always folds the rows (small installs).
    table = vendor == "postgresql" and not from_rows
    facts = facts_from_table() if table else facts_from_rows_in(vendor)
    # `subtree=False`: the dossiers handled by the agency itself, none of its units' (the
    # "directly" row of the staff page); a path has no LIKE wildcard, so it matches itself only.
    scope: Any = f"{agency.path}%" if subtree else agency.path
    if table:
        scope = [agency.pk]
        if subtree:
            scope, outside = _split(agency)
            if len(outside) < len(scope):  # most of the tree: name the few agencies left out
                scope, facts = outside, facts_from_table(excluding=True)
    params: list[Any] = [_microseconds(start), _microseconds(cutoff), scope]
    return _judged(vendor, facts), params


def _split(agency: Agency) -> tuple[list[int], list[int]]:
    """The ids of the agencies in `agency`'s subtree and of all the others."""
    inside: list[int] = []
    outside: list[int] = []
    for pk, path in Agency.objects.values_list("pk", "path"):
        (inside if path.startswith(agency.path) else outside).append(pk)
    return inside, outside


def _microseconds(moment: datetime) -> int:
    whole = int(moment.timestamp() // 1)
    return whole * 1_000_000 + moment.microsecond


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling these wide expressions costs more than evaluating them a million times.
            cursor.execute("SET LOCAL jit = off")
            # The planner cannot tell that the codes take a few dozen values and guesses one
            # group per dossier; with room for its guess it counts in a hash (17 groups, a few
            # KB) instead of sorting a million codes on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


_CODE = "intake * 1000 + outcome * 10 + waiting"


def _numbers(groups: list[tuple[int, int]]) -> AgencyStatistics:
    numbers = dict.fromkeys(MEASURES, 0)
    for code, dossiers in groups:
        found = {"intake": code // 1000, "outcome": code % 1000 // 10, "waiting": code % 10}
        for measure, (column, values) in _WHERE.items():
            if found[column] in values:
                numbers[measure] += dossiers
    return AgencyStatistics(**numbers)


def agency_statistics(
    agency: Agency,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    from_rows: bool = False,
    subtree: bool = True,
) -> AgencyStatistics:
    """The numbers for dossiers handled in `agency`'s subtree over [start, end) (`subtree=False`:
    handled by the agency itself only).

    `from_rows=True` folds the transition rows afresh instead of reading the PostgreSQL facts
    table (the two must agree; SQLite always folds the rows)."""
    ctes, params = _query(agency, start, end, now, from_rows=from_rows, subtree=subtree)
    sql = (
        f"{ctes}\nSELECT code, COUNT(*) FROM (SELECT {_CODE} AS code FROM coded) AS c GROUP BY code"
    )
    return _numbers([(code, dossiers) for code, dossiers in _run(sql, params)])


@dataclass(frozen=True)
class TableRow:
    agency: Agency
    numbers: AgencyStatistics
    subtree: bool  # False: the dossiers the agency handles itself, none of its units'


def statistics_table(
    agency: Agency, start: datetime, end: datetime, *, now: datetime | None = None
) -> tuple[AgencyStatistics, list[TableRow]]:
    """The numbers of `agency`'s subtree and, in one pass over the same classification, of each
    direct child's subtree and of the agency's own dossiers (the staff statistics page: the rows
    add up to the total). Children with nothing counted are listed too, with zeros."""
    ctes, params = _query(agency, start, end, now, from_rows=False)
    sql = (
        f"{ctes}\nSELECT handling_agency_id, {_CODE} AS code, COUNT(*) FROM coded"
        " GROUP BY handling_agency_id, code"
    )
    groups = _run(sql, params)
    paths = dict(Agency.objects.filter(path__startswith=agency.path).values_list("pk", "path"))
    children = list(agency.children.order_by("name"))
    buckets: dict[int, list[tuple[int, int]]] = {child.pk: [] for child in children}
    own: list[tuple[int, int]] = []
    for handling_id, code, dossiers in groups:
        parts = paths.get(handling_id, agency.path)[len(agency.path) :].strip("/").split("/")
        child_id = int(parts[0]) if parts[0] else 0  # 0: the agency itself
        buckets.get(child_id, own).append((code, dossiers))
    total = _numbers([(code, dossiers) for _, code, dossiers in groups])
    rows = [TableRow(agency, _numbers(own), subtree=False)]
    rows += [TableRow(child, _numbers(buckets[child.pk]), subtree=True) for child in children]
    return total, rows


def dossiers_behind(
    agency: Agency,
    start: datetime,
    end: datetime,
    measure: str,
    *,
    now: datetime | None = None,
    subtree: bool = True,
) -> QuerySet[Dossier]:
    """The dossiers counted in one number of `agency_statistics`, ordered by code (paginate with
    Django's Paginator)."""
    if measure not in _WHERE:
        raise ValueError(f"unknown measure {measure!r}")
    code, values = _WHERE[measure]
    ctes, params = _query(agency, start, end, now, from_rows=False, subtree=subtree)
    sql = f"{ctes}\nSELECT dossier_id FROM coded WHERE {code} IN ({', '.join(map(str, values))})"
    ids = RawSQL(sql, params)  # noqa: S611 (constant SQL; values are parameters)
    return Dossier.objects.filter(pk__in=ids).order_by("code")


OUTCOME_LABELS = {
    _EARLY: "Giải quyết trước hạn",
    _ON_TIME: "Giải quyết đúng hạn",
    _LATE: "Giải quyết quá hạn",
    _IN_TIME: "Đang giải quyết, trong hạn",
    _OVERDUE: "Đang giải quyết, quá hạn",
    _REFUSED: "Không được tiếp nhận",
    _WITHDRAWN: "Công dân rút hồ sơ",
    _STOPPED: "Dừng xử lý",
}


def _verdict(outcome: int, waiting: int) -> str:
    label = OUTCOME_LABELS.get(outcome, "Kết thúc trước kỳ")
    return f"{label} (chờ bổ sung)" if waiting else label


class DossiersBehind:
    """The dossiers of one number as a list for Django's Paginator, read from the facts alone:
    `count()` counts the classified rows, a slice takes their ids in id order (about the order
    of submission) and loads only those dossiers, each with its `verdict` at the end of the
    period. Joining every counted dossier to sort it by code cost seconds for a province's
    hundred thousand late ones; this costs two scans of the facts (~the statistics' own time)."""

    def __init__(
        self,
        agency: Agency,
        start: datetime,
        end: datetime,
        measure: str,
        *,
        now: datetime | None = None,
        subtree: bool = True,
    ) -> None:
        if measure not in _WHERE:
            raise ValueError(f"unknown measure {measure!r}")
        column, values = _WHERE[measure]
        self._ctes, self._params = _query(agency, start, end, now, from_rows=False, subtree=subtree)
        self._where = f"{column} IN ({', '.join(map(str, values))})"

    def count(self) -> int:
        sql = f"{self._ctes}\nSELECT COUNT(*) FROM coded WHERE {self._where}"
        return int(_run(sql, self._params)[0][0])

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Dossier]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Dossier: ...

    @overload
    def __getitem__(self, index: slice) -> list[Dossier]: ...

    def __getitem__(self, index: int | slice) -> Dossier | list[Dossier]:
        if isinstance(index, int):
            one = self[index : index + 1]
            if index < 0 or not one:
                raise IndexError(index)
            return one[0]
        offset = max(index.start or 0, 0)
        size = max((index.stop if index.stop is not None else offset) - offset, 0)
        sql = (
            f"{self._ctes}\nSELECT dossier_id, outcome, waiting FROM coded WHERE {self._where}"
            " ORDER BY dossier_id LIMIT %s OFFSET %s"
        )
        found = {row[0]: (row[1], row[2]) for row in _run(sql, [*self._params, size, offset])}
        dossiers = Dossier.objects.filter(pk__in=found).select_related(
            "procedure_version", "handling_agency"
        )
        by_id = {dossier.pk: dossier for dossier in dossiers}
        listed = []
        for pk, (outcome, waiting) in found.items():
            if pk in by_id:
                by_id[pk].verdict = _verdict(outcome, waiting)  # type: ignore[attr-defined]
                listed.append(by_id[pk])
        return listed
