# SQL text here is assembled from this app's constants only; every value is a parameter.
# ruff: noqa: S608
"""SQL that folds a dossier's transition rows into the facts the statistics judge.

One text serves PostgreSQL and SQLite. Instants become integer microseconds since the epoch, so
`later - earlier` and `instant - span` are exact, cheap and the same on both (the PostgreSQL
table stores them that way: a year of a province is a million rows to judge in well under a
second).

The rules, with statuses as in onestop.md §6.1 (an unknown action is neutral: only statuses
count):

- reception is the first step into 2 (Được tiếp nhận);
- a supplement request is a step into 5 (Yêu cầu bổ sung) from a status other than 1 (still
  waiting for reception: a request then is made before NgayTiepNhan, Decree 61/2018 Art. 15) and
  other than 5; its pause ends at the first later step leaving 5 (a 5 → 5 note does not end it);
- the end events are the first step into 9, 10, 3, 7 and 8.
"""

from __future__ import annotations

from typing import Literal

Vendor = Literal["postgresql", "sqlite"]

# Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, so a Vietnam calendar day
# is a fixed offset from UTC (the same convention as bench/dossier_lifecycle.py).
VIETNAM_OFFSET_US = 7 * 3600 * 1_000_000
DAY_US = 86_400 * 1_000_000

FACT_COLUMNS = (
    "dossier_id", "handling_agency_id", "due_at", "received_at", "done_at", "returned_at",
    "refused_at", "withdrawn_at", "stopped_at", "requests", "first_asked_at",
    "first_answered_at", "second_asked_at", "second_answered_at", "last_asked_at",
    "last_answered_at",
)  # fmt: skip

_REQUEST = "(t.to_status = 5 AND t.from_status IS NOT NULL AND t.from_status NOT IN (1, 5))"


# Facts that follow from the others without looking at the period: the statistics judge a dossier
# that ended before the period's end with these few columns instead of the full rule (the
# per-row work of a province-wide year, ADR 0019). On PostgreSQL they are stored generated
# columns of the table (migration 0002), elsewhere computed in `f`; one text for both.
_RESOLVED = "COALESCE({p}done_at, {p}returned_at)"
EARLY, ON_TIME, LATE = 1, 2, 3  # the verdict codes of `statistics` for a resolved dossier
_EVENTS = ("received_at", "done_at", "returned_at", "refused_at", "withdrawn_at", "stopped_at")
_ENDS = _EVENTS[1:]


def derived_columns(vendor: Vendor, prefix: str = "") -> dict[str, str]:
    """Column name → SQL over the fact columns (qualified with `prefix`, e.g. "x.").

    - resolved_at: the end of processing as seen once every event has happened (first 9, else 10);
    - closed_kind / closed_at: the earliest of refusal (3), withdrawal (7), stop (8), as `_judged`
      picks it;
    - settled_at: for a dossier that has ended (resolved or closed), its latest end or reception
      event: from that instant on, no period end can see it differently; NULL while open;
    - verdict: Decision 766 on that end (onestop.md §4.1): late (3) after a second supplement
      request or when the end less the pause is after the due date, early (1) when it falls on
      an earlier Vietnam day than the due date, else on time (2); NULL when not resolved. The
      pause is the first supplement request's, cut at that end (a second request is late
      anyway)."""
    p = prefix
    resolved = _RESOLVED.format(p=p)
    k3, k7, k8 = f"{p}refused_at", f"{p}withdrawn_at", f"{p}stopped_at"
    first_3 = f"{k3} <= COALESCE({k7}, {k3}) AND {k3} <= COALESCE({k8}, {k3})"
    first_7 = f"{k7} <= COALESCE({k8}, {k7})"
    greatest = "GREATEST" if vendor == "postgresql" else "MAX"  # SQLite's scalar max
    latest = f"{greatest}({', '.join(f'COALESCE({p}{c}, 0)' for c in _EVENTS)})"
    ended = " OR ".join(f"{p}{c} IS NOT NULL" for c in _ENDS)
    paused = (
        f"CASE WHEN {p}first_asked_at <= {resolved} THEN (CASE WHEN {p}first_answered_at"
        f" < {resolved} THEN {p}first_answered_at ELSE {resolved} END) - {p}first_asked_at"
        " ELSE 0 END"
    )
    counted_end = f"{resolved} - ({paused})"
    return {
        "resolved_at": resolved,
        "closed_kind": (
            f"CASE WHEN {first_3} THEN 3 WHEN {first_7} THEN 7 WHEN {k8} IS NOT NULL THEN 8 END"
        ),
        "closed_at": f"CASE WHEN {first_3} THEN {k3} WHEN {first_7} THEN {k7} ELSE {k8} END",
        "settled_at": f"CASE WHEN {ended} THEN {latest} END",
        "verdict": (
            f"CASE WHEN {resolved} IS NULL THEN NULL"
            f" WHEN {p}second_asked_at <= {resolved} OR {p}due_at < {counted_end} THEN {LATE}"
            f" WHEN {local_day(counted_end)} < {local_day(f'{p}due_at')} THEN {EARLY}"
            f" ELSE {ON_TIME} END"
        ),
    }


def instant(vendor: Vendor, column: str) -> str:
    """A stored datetime as integer microseconds since the epoch (UTC)."""
    if vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS bigint)"
    # Django keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC.
    return (
        f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000000"
        f" + CAST(substr({column} || '.000000', 21, 6) AS INTEGER))"
    )


def instant_parameter(vendor: Vendor) -> str:
    return "CAST(%s AS bigint)" if vendor == "postgresql" else "CAST(%s AS INTEGER)"


def local_day(expression: str) -> str:
    """The Vietnam calendar day of an instant (microseconds), comparable between instants."""
    return f"((({expression}) + {VIETNAM_OFFSET_US}) / {DAY_US})"


DERIVED_COLUMNS = tuple(derived_columns("postgresql"))


def facts_from_rows(vendor: Vendor, dossier_filter: str) -> str:
    """Common table expressions ending in `f`: one row of FACT_COLUMNS per dossier whose
    transitions match `dossier_filter` (a condition on `t`)."""
    at = instant(vendor, "t.at")
    derived = ", ".join(
        f"{sql} AS {name}" for name, sql in derived_columns(vendor, "folded.").items()
    )
    return f"""
marked AS (
  SELECT t.dossier_id, t.to_status, {at} AS at,
    LEAD({at}) OVER w AS next_at,
    SUM(CASE WHEN {_REQUEST} THEN 1 ELSE 0 END) OVER w AS ordinal
  FROM dossiers_dossiertransition t
  WHERE {dossier_filter}
  WINDOW w AS (PARTITION BY t.dossier_id ORDER BY t.seq)
),
pauses AS (
  SELECT dossier_id, ordinal, MIN(at) AS asked_at,
    CASE WHEN COUNT(next_at) = COUNT(*) THEN MAX(next_at) END AS answered_at
  FROM marked WHERE to_status = 5 AND ordinal > 0
  GROUP BY dossier_id, ordinal
),
events AS (
  SELECT dossier_id,
    MIN(CASE WHEN to_status = 2 THEN at END) AS received_at,
    MIN(CASE WHEN to_status = 9 THEN at END) AS done_at,
    MIN(CASE WHEN to_status = 10 THEN at END) AS returned_at,
    MIN(CASE WHEN to_status = 3 THEN at END) AS refused_at,
    MIN(CASE WHEN to_status = 7 THEN at END) AS withdrawn_at,
    MIN(CASE WHEN to_status = 8 THEN at END) AS stopped_at,
    MAX(ordinal) AS requests
  FROM marked GROUP BY dossier_id
),
folded AS (
  SELECT e.dossier_id, d.handling_agency_id, {instant(vendor, "d.due_at")} AS due_at,
    e.received_at, e.done_at, e.returned_at, e.refused_at, e.withdrawn_at, e.stopped_at,
    e.requests, p1.asked_at AS first_asked_at, p1.answered_at AS first_answered_at,
    p2.asked_at AS second_asked_at, p2.answered_at AS second_answered_at,
    pl.asked_at AS last_asked_at, pl.answered_at AS last_answered_at
  FROM events e
  JOIN dossiers_dossier d ON d.id = e.dossier_id
  LEFT JOIN pauses p1 ON p1.dossier_id = e.dossier_id AND p1.ordinal = 1
  LEFT JOIN pauses p2 ON p2.dossier_id = e.dossier_id AND p2.ordinal = 2
  LEFT JOIN pauses pl ON pl.dossier_id = e.dossier_id AND pl.ordinal = e.requests
),
f AS (SELECT folded.*, {derived} FROM folded)"""


def facts_from_table(*, excluding: bool = False) -> str:
    """`f` read from the table the PostgreSQL triggers keep (one parameter: the list of the
    subtree's agency ids, so the planner sees how many rows it will read; with `excluding`, the
    list of the agencies outside it, for a subtree that is most of the tree: then the planner
    sees a plain parallel scan with a cheap filter, not an index walk over most of the table)."""
    columns = ", ".join(f"x.{c}" for c in FACT_COLUMNS + DERIVED_COLUMNS)
    test = "<> ALL(%s)" if excluding else "= ANY(%s)"
    return f"f AS (SELECT {columns} FROM reports_dossierfacts x WHERE x.handling_agency_id {test})"


def facts_from_rows_in(vendor: Vendor) -> str:
    """`f` folded from the rows of the subtree's dossiers (one parameter: the path prefix)."""
    return facts_from_rows(
        vendor,
        "t.dossier_id IN (SELECT d.id FROM dossiers_dossier d JOIN org_agency a "
        "ON a.id = d.handling_agency_id WHERE a.path LIKE %s)",
    )


# --- PostgreSQL: the table kept by triggers (installed by migration 0001) -----------------------

_UPSERT = ", ".join(f"{c} = EXCLUDED.{c}" for c in FACT_COLUMNS[1:])

INSTALL_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION reports_fold_transitions() RETURNS trigger
LANGUAGE plpgsql AS $fold$
BEGIN
  INSERT INTO reports_dossierfacts ({", ".join(FACT_COLUMNS)})
  WITH {facts_from_rows("postgresql", "t.dossier_id IN (SELECT dossier_id FROM new_rows)")}
  SELECT {", ".join(FACT_COLUMNS)} FROM f
  ON CONFLICT (dossier_id) DO UPDATE SET {_UPSERT};
  RETURN NULL;
END
$fold$;

CREATE OR REPLACE FUNCTION reports_follow_dossier() RETURNS trigger
LANGUAGE plpgsql AS $follow$
BEGIN
  UPDATE reports_dossierfacts
  SET due_at = {instant("postgresql", "NEW.due_at")},
      handling_agency_id = NEW.handling_agency_id
  WHERE dossier_id = NEW.id;
  RETURN NULL;
END
$follow$;

CREATE TRIGGER reports_fold_transitions
AFTER INSERT ON dossiers_dossiertransition
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION reports_fold_transitions();

CREATE TRIGGER reports_follow_dossier
AFTER UPDATE OF due_at, handling_agency_id ON dossiers_dossier
FOR EACH ROW
WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at
      OR OLD.handling_agency_id IS DISTINCT FROM NEW.handling_agency_id)
EXECUTE FUNCTION reports_follow_dossier();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS reports_fold_transitions ON dossiers_dossiertransition;
DROP TRIGGER IF EXISTS reports_follow_dossier ON dossiers_dossier;
DROP FUNCTION IF EXISTS reports_fold_transitions();
DROP FUNCTION IF EXISTS reports_follow_dossier();
"""

REBUILD = f"""
DELETE FROM reports_dossierfacts;
INSERT INTO reports_dossierfacts ({", ".join(FACT_COLUMNS)})
WITH {facts_from_rows("postgresql", "TRUE")}
SELECT {", ".join(FACT_COLUMNS)} FROM f;
"""

ADD_DERIVED = "ALTER TABLE reports_dossierfacts " + ", ".join(
    f"ADD COLUMN {name} bigint GENERATED ALWAYS AS ({sql}) STORED"
    for name, sql in derived_columns("postgresql").items()
)
DROP_DERIVED = "ALTER TABLE reports_dossierfacts " + ", ".join(
    f"DROP COLUMN IF EXISTS {name}" for name in DERIVED_COLUMNS
)
