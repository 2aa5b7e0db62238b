"""Generate realistic one-stop dossiers for benchmarks, straight into PostgreSQL with COPY:

    DJANGO_DEBUG=1 .venv/bin/python bench/generate_dossiers.py \
        --database-url postgres://postgres@127.0.0.1:5432/chinhquyen_bench --count 1000000

Needs the demo province (`manage.py load_demo`): its 104 commune People's Committees receive and
handle commune-level procedures, the provincial service centre receives province-level ones for
the competent department, and every dossier pins a version of the demo catalogue in force on its
day. Per dossier: channel (~40 % online, ~50 % counter, ~10 % post), an applicant (Vietnamese name,
TT 59/2021 personal ID or an enterprise code, mobile number), a life along real paths (reception,
processing, supplement, refusal, withdrawal, stop, result, return) written as 1–6
`DossierTransition` rows, and a code `<agency identifier>-YYMMDD-NNNN` numbered in time order per
agency and day. The numbers are reserved from `DossierCodeCounter` itself (one upsert per batch,
in the batch's transaction), so the counters always hold the last number used and a later real
submission continues after it; nothing in the schema is disabled.

Seeded: the same --seed, --count, --until and database content give the same rows. Dates run
over --days days up to --until (yesterday by default), starting no earlier than the first
catalogue version's effective date. One transaction per batch; no ORM call per row."""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dossier_lifecycle import COUNTER, DAY, HANDLING, ONLINE, POST  # noqa: E402
from bench.dossier_plan import (  # noqa: E402
    Planned,
    Planner,
    channel_weights,
    daily_counts,
    load_world,
)
from chinhquyen.procedures.text import fold  # noqa: E402

DEFAULT_SEED = 20261124

DOSSIER_COLUMNS = (
    "id", "code", "channel", "status", "applicant_kind", "applicant_name", "applicant_id_number",
    "organisation_name", "applicant_phone", "applicant_email", "applicant_address", "answers",
    "delivery_option", "delivery_address", "fee_total", "paid_online", "paid_amount",
    "submitted_at", "received_at", "due_at", "finished_at", "returned_at", "created_at",
    "applicant_id", "applicant_unit_id", "handling_agency_id", "procedure_version_id",
    "receiving_agency_id", "step", "step_due_at", "current_agency_id", "search_name",
)  # fmt: skip
# Where an open dossier stands in the default internal process (dossiers.process): waiting at
# the one-stop office (1), being appraised by the competent agency (2, 4, 5, 6), its result
# waiting to be returned (9); closed dossiers hold no step.
_STEP_BY_STATUS = {1: "tiep_nhan", 2: "tham_dinh", 4: "tham_dinh", 5: "tham_dinh", 6: "tham_dinh",
                   9: "tra_ket_qua"}  # fmt: skip
TRANSITION_COLUMNS = (
    "seq", "action", "from_status", "to_status", "at", "note", "public_note", "step_due_at",
    "data", "actor_id", "agency_id", "dossier_id",
)  # fmt: skip
NULL = "\\N"


@dataclass
class Stats:
    dossiers: int = 0
    transitions: int = 0
    seconds: float = 0.0
    first_day: str = ""
    last_day: str = ""
    channels: Counter[int] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    commune_level: int = 0

    @property
    def rows_per_second(self) -> float:
        return (self.dossiers + self.transitions) / self.seconds if self.seconds else 0.0


# --- Writing: ids, numbers from the counters, COPY ---------------------------------------------


@dataclass(frozen=True)
class Rows:
    """One batch as COPY text."""

    dossiers: str
    transitions: str
    count: int
    steps: int


def copy_rows(rows: Rows) -> None:
    """The batch's dossiers and transitions in one transaction (the transitions' foreign keys to
    their dossiers are checked at its commit)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as wrapper:
        with wrapper.cursor.copy(_copy_sql("dossiers_dossier", DOSSIER_COLUMNS)) as copy:
            copy.write(rows.dossiers)
        with wrapper.cursor.copy(
            _copy_sql("dossiers_dossiertransition", TRANSITION_COLUMNS)
        ) as copy:
            copy.write(rows.transitions)


class Writer:
    """Formats rows as COPY text."""

    def __init__(self) -> None:
        self._day_text: dict[int, str] = {}

    def at(self, instant: int | None) -> str:
        if instant is None:
            return NULL
        day, second = divmod(instant, DAY)
        text = self._day_text.get(day)
        if text is None:
            text = self._day_text[day] = date.fromordinal(day).isoformat()
        hours, rest = divmod(second, 3600)
        return f"{text} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}+07"

    def prepare(self, batch: list[Planned]) -> Rows:
        """Reserve ids and code numbers (a short transaction of its own), then format."""
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as wrapper:
            ids = _reserve_ids(wrapper.cursor, len(batch))
            numbers = _reserve_numbers(wrapper.cursor, batch)
        for planned, pk, number in zip(batch, ids, numbers, strict=True):
            day = date.fromordinal(planned.submitted_at // DAY)
            planned.id = pk
            planned.code = f"{planned.receiving.agency_code}-{day:%y%m%d}-{number:04d}"
        return Rows(
            dossiers="".join(self._dossier_line(p) for p in batch),
            transitions="".join(self._transition_lines(p) for p in batch),
            count=len(batch),
            steps=sum(len(p.life.steps) for p in batch),
        )

    def _dossier_line(self, p: Planned) -> str:
        a, f, life = p.fields["applicant"], p.fields, p.life
        values = (
            str(p.id), p.code, str(p.channel), str(life.status), str(a.kind), a.name,
            a.id_number, a.organisation, a.phone, a.email, f["address"], f["answers"],
            f["delivery"], f["delivery_address"], str(p.version.fee),
            "2" if f["paid"] else NULL, str(f["paid"]), self.at(p.submitted_at),
            self.at(life.received_at), self.at(life.due_at), self.at(life.finished_at),
            self.at(life.returned_at), self.at(p.submitted_at), NULL,
            str(f["unit_id"]) if f["unit_id"] else NULL, str(p.handling.agency_id),
            str(p.version.id), str(p.receiving.agency_id), *self._position(p),
            fold(f"{a.name} {a.organisation}")[:520],
        )  # fmt: skip
        return "\t".join(values) + "\n"

    def _position(self, p: Planned) -> tuple[str, str, str]:
        """step, step_due_at, current_agency_id: the holder is the one-stop office until the
        dossier is accepted and while its result waits there, the competent agency between."""
        life = p.life
        step = _STEP_BY_STATUS.get(life.status, "")
        if not step:
            return "", NULL, NULL
        at_office = step in {"tiep_nhan", "tra_ket_qua"}
        holder = p.receiving if at_office else p.handling
        due = NULL if step == "tiep_nhan" or life.due_at is None else self.at(life.due_at)
        return step, due, str(holder.agency_id)

    def _transition_lines(self, p: Planned) -> str:
        lines = []
        for seq, step in enumerate(p.life.steps, start=1):
            agency = p.handling if step.by == HANDLING else p.receiving
            values = (
                str(seq), step.action,
                NULL if step.from_status is None else str(step.from_status),
                str(step.to_status), self.at(step.at), "", step.public_note, NULL, "{}", NULL,
                str(agency.agency_id), str(p.id),
            )  # fmt: skip
            lines.append("\t".join(values) + "\n")
        return "".join(lines)


def _copy_sql(table: str, columns: Iterable[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def _reserve_ids(cursor: Any, n: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence('dossiers_dossier', 'id')) "
        "FROM generate_series(1, %s)",
        [n],
    )
    return [row[0] for row in cursor.fetchall()]


def _reserve_numbers(cursor: Any, batch: list[Planned]) -> list[int]:
    """Take this batch's numbers from the (agency, day) counters in one upsert: the rows stay
    locked until the batch commits, exactly like `next_dossier_code` for one dossier, so a
    concurrent real submission waits and then continues after the last number used here."""
    needed: Counter[tuple[int, int]] = Counter(
        (p.receiving.agency_id, p.submitted_at // DAY) for p in batch
    )
    keys = sorted(needed)
    cursor.execute(
        "INSERT INTO dossiers_dossiercodecounter (agency_id, day, last_number) "
        "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::integer[]) "
        "ON CONFLICT (agency_id, day) DO UPDATE "
        "SET last_number = dossiers_dossiercodecounter.last_number + EXCLUDED.last_number "
        "RETURNING agency_id, day, last_number",
        [
            [agency for agency, _ in keys],
            [date.fromordinal(day) for _, day in keys],
            [needed[key] for key in keys],
        ],
    )
    next_number = {
        (agency, day.toordinal()): last - needed[(agency, day.toordinal())] + 1
        for agency, day, last in cursor.fetchall()
    }
    numbers = []
    for p in batch:  # in time order within each day, so numbers follow the clock
        key = (p.receiving.agency_id, p.submitted_at // DAY)
        numbers.append(next_number[key])
        next_number[key] += 1
    return numbers


# --- The run -------------------------------------------------------------------------------------


def generate(
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    until: date | None = None,
    days: int = 730,
    batch_size: int = 5_000,
    writers: int = 0,
    progress: Callable[[Stats], None] | None = None,
) -> Stats:
    """Create `count` dossiers with their transitions and counters in the current database.

    `writers` > 0: COPY from that many threads, each with its own connection and one transaction
    per batch, while this thread plans and formats the next batches, so Python and PostgreSQL
    keep both cores busy. 0 inside a test, whose data lives in the test's own transaction."""
    from django.utils import timezone

    rng = random.Random(seed)
    until = until or timezone.localdate() - timedelta(days=1)
    world = load_world(until, days, rng)
    plan = daily_counts(world, count)
    planner, writer = Planner(world, rng, channel_weights(plan)), Writer()
    stats = Stats(first_day=world.first.isoformat(), last_day=until.isoformat())
    sink = _Sink(stats, progress, writers)
    batch: list[Planned] = []
    try:
        for day, n, working in plan:
            batch.extend(planner.day(day, n, working))
            while len(batch) >= batch_size:
                sink.put(_prepared(writer, batch[:batch_size], stats))
                del batch[:batch_size]
        if batch:
            sink.put(_prepared(writer, batch, stats))
    finally:
        sink.close()
    return stats


def _prepared(writer: Writer, batch: list[Planned], stats: Stats) -> Rows:
    stats.channels.update(p.channel for p in batch)
    stats.statuses.update(p.life.status for p in batch)
    stats.commune_level += sum(1 for p in batch if p.version.commune_level)
    return writer.prepare(batch)


class _Sink:
    """Copies batches here, or from writer threads through a short queue."""

    def __init__(
        self, stats: Stats, progress: Callable[[Stats], None] | None, writers: int
    ) -> None:
        self.stats, self.progress = stats, progress
        self.started = time.perf_counter()
        self.lock = threading.Lock()
        self.failure: BaseException | None = None
        self.done = threading.Event()
        self.queue: queue.Queue[Rows] = queue.Queue(maxsize=writers + 1)
        self.threads = [threading.Thread(target=self._drain, daemon=True) for _ in range(writers)]
        for thread in self.threads:
            thread.start()

    def put(self, rows: Rows) -> None:
        if not self.threads:
            self._copy(rows)
            return
        while self.failure is None:
            try:
                self.queue.put(rows, timeout=1)
                return
            except queue.Full:
                continue
        raise RuntimeError("generate_dossiers: a writer thread failed") from self.failure

    def close(self) -> None:
        self.done.set()  # the writers stop once the queue is empty
        for thread in self.threads:
            thread.join()
        self.stats.seconds = time.perf_counter() - self.started
        if self.failure is not None:
            raise RuntimeError("generate_dossiers: a writer thread failed") from self.failure

    def _drain(self) -> None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                # A crash may lose the last batches (each a whole transaction): a bulk load is
                # re-run, not recovered, so it does not wait for each WAL flush.
                cursor.execute("SET synchronous_commit TO off")
            while True:
                try:
                    rows = self.queue.get(timeout=0.2)
                except queue.Empty:
                    if self.done.is_set():
                        return
                    continue
                self._copy(rows)
        except BaseException as exc:  # handed to the planning thread
            self.failure = exc
        finally:
            connection.close()

    def _copy(self, rows: Rows) -> None:
        copy_rows(rows)
        with self.lock:
            self.stats.dossiers += rows.count
            self.stats.transitions += rows.steps
            self.stats.seconds = time.perf_counter() - self.started
            if self.progress:
                self.progress(self.stats)


def summary(stats: Stats) -> str:
    n = stats.dossiers or 1
    channels = ", ".join(
        f"{name} {stats.channels[c] / n:.1%}"
        for c, name in ((ONLINE, "online"), (COUNTER, "counter"), (POST, "post"))
    )
    statuses = ", ".join(f"{s}: {stats.statuses[s]:,}" for s in sorted(stats.statuses))
    return (
        f"{stats.dossiers:,} dossiers and {stats.transitions:,} transitions in "
        f"{stats.seconds:.1f} s: {stats.dossiers / max(stats.seconds, 1e-9):,.0f} dossiers/s, "
        f"{stats.rows_per_second:,.0f} rows/s\n"
        f"days {stats.first_day} … {stats.last_day}; channels: {channels}; "
        f"commune-level {stats.commune_level / n:.1%}\nstatuses: {statuses}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--until", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--writers", type=int, default=2, help="COPY threads (connections)")
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("generate_dossiers: needs --database-url postgres://… (COPY)")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.db import connection

    following = _facts_trigger(enabled=False)
    stats = generate(
        args.count,
        seed=args.seed,
        until=args.until,
        days=args.days,
        batch_size=args.batch_size,
        writers=args.writers,
        progress=_print_progress,
    )
    facts_seconds = _refold_facts() if following else 0.0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier, dossiers_dossiertransition")
    print(summary(stats))
    if following:
        print(f"statistics facts folded from the rows in {facts_seconds:.1f} s", file=sys.stderr)
    if args.json:
        figures = {
            "dossiers": stats.dossiers,
            "transitions": stats.transitions,
            "seconds": round(stats.seconds + facts_seconds, 1),
            "facts_seconds": round(facts_seconds, 1),
            "dossiers_per_second": round(stats.dossiers / max(stats.seconds, 1e-9)),
            "rows_per_second": round(stats.rows_per_second),
            "first_day": stats.first_day,
            "last_day": stats.last_day,
            "channels": {str(k): v for k, v in sorted(stats.channels.items())},
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "commune_level": stats.commune_level,
            "seed": args.seed,
            "writers": args.writers,
            "summary": summary(stats),
        }
        print(json.dumps(figures, ensure_ascii=False))


_FACTS_TRIGGER = "reports_fold_transitions"


def _facts_trigger(*, enabled: bool) -> bool:
    """The statistics' facts trigger (reports migration 0001) folds every COPY batch row by
    row, which made a bulk load four times slower: it is switched off for the load and the
    facts are folded once afterwards (`_refold_facts`), as a bulk load of any table with a
    derived summary would. Returns whether the trigger exists."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [_FACTS_TRIGGER])
        if cursor.fetchone() is None:
            return False
        switch = "ENABLE" if enabled else "DISABLE"
        cursor.execute(f"ALTER TABLE dossiers_dossiertransition {switch} TRIGGER {_FACTS_TRIGGER}")
    return True


def _refold_facts() -> float:
    """Fold every dossier's facts from its rows in one statement, then switch the trigger on."""
    from django.db import connection, transaction

    from chinhquyen.reports.facts import REBUILD

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REBUILD)
    _facts_trigger(enabled=True)
    return time.perf_counter() - started


def _print_progress(stats: Stats) -> None:
    if stats.dossiers % 100_000 == 0:
        print(
            f"  {stats.dossiers:,} dossiers, {stats.rows_per_second:,.0f} rows/s",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
