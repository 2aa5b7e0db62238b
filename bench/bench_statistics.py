"""Issue #5 performance: agency statistics for a year over 1,000,000 dossiers (target ≤ 500 ms),
on PostgreSQL:

    .venv/bin/python bench/bench_statistics.py [--count 1000000] [--runs 7] [--keep]

Creates the database `chinhquyen_bench_stats`, migrates, loads the demo province, generates the
dossiers with `generate_dossiers.py` (their transitions fold into the reports facts table through
its trigger as they are copied), then times `agency_statistics` for the last 365 days of the data
over the whole province and over its busiest commune: one warm-up run, then --runs runs, median
and max. Also times the first drill-down page of each (as the staff page reads it: the count,
then 20 dossiers) and, once, the same commune folded from the rows.
Prints a Markdown report and drops the database at the end (unless --keep)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import BIN, app_environment, create_database, drop_database, manage  # noqa: E402

DATABASE = "chinhquyen_bench_stats"
TARGET_MS = 500
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is")
    return parser.parse_args()


def prepare(env: dict[str, str], count: int) -> dict[str, Any]:
    create_database(DATABASE)
    manage(env, "migrate", "-v0")
    manage(env, "load_demo")
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "python"), "bench/generate_dossiers.py", "--count", str(count), "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"generate_dossiers failed:\n{done.stderr}")
    generation = json.loads(done.stdout.strip().splitlines()[-1])
    generation["wall_seconds"] = round(time.perf_counter() - started, 1)
    return generation


def timed(call: Callable[[], object], runs: int) -> dict[str, float]:
    call()  # warm: plans, caches, pages in memory
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def measure(runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count

    from chinhquyen.dossiers.models import Dossier
    from chinhquyen.org.models import Agency
    from chinhquyen.reports.statistics import DossiersBehind, agency_statistics

    with connection.cursor() as cursor:  # a steady state: visibility map set, statistics fresh
        cursor.execute("VACUUM ANALYZE reports_dossierfacts")
    last = Dossier.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)[0]
    end = datetime.combine(last.astimezone(VIETNAM).date() + timedelta(days=1), clock.min, VIETNAM)
    start = end - timedelta(days=365)
    busiest = (
        Dossier.objects.filter(handling_agency__kind=Agency.Kind.COMMUNE_COMMITTEE)
        .values("handling_agency").annotate(n=Count("id")).order_by("-n")[0]
    )  # fmt: skip
    commune = Agency.objects.get(pk=busiest["handling_agency"])
    province = Agency.objects.get(pk=commune.ancestor_ids()[0])
    report: dict[str, Any] = {"period": [start.date().isoformat(), end.date().isoformat()]}
    for name, agency in (("province", province), ("commune", commune)):
        numbers = agency_statistics(agency, start, end)

        def run(agency: Agency = agency) -> object:
            return agency_statistics(agency, start, end)

        report[name] = {
            "agency": agency.name,
            **timed(run, runs),
            "received": numbers.received,
            "resolved": numbers.resolved,
            "in_progress": numbers.in_progress,
            "on_time_rate": numbers.on_time_rate,
        }

    def drill_down(agency: Agency) -> object:  # what the staff page does: count, then 20
        return list(Paginator(DossiersBehind(agency, start, end, "resolved_late"), 20).page(1))

    report["drill_down_page"] = timed(lambda: drill_down(commune), runs)
    report["drill_down_province"] = timed(lambda: drill_down(province), runs)
    started = time.perf_counter()
    from_rows = agency_statistics(commune, start, end, from_rows=True)
    report["commune_from_rows_ms"] = round((time.perf_counter() - started) * 1000, 1)
    report["table_equals_rows"] = from_rows == agency_statistics(commune, start, end)
    return report


def markdown(report: dict[str, Any], generation: dict[str, Any] | None) -> str:
    rows, drill = [], report["drill_down_page"]
    for name in ("province", "commune"):
        r = report[name]
        verdict = "met" if r["max_ms"] <= TARGET_MS else "NOT met"
        rows.append(
            f"| {name}: {r['agency']} | {r['received']:,} | {r['resolved']:,} | "
            f"{r['on_time_rate']} % | {r['median_ms']} | {r['max_ms']} | {verdict} |"
        )
    lines = [
        f"Period {report['period'][0]} … {report['period'][1]} (365 days), "
        f"{report.get('dossiers', 0):,} dossiers stored.",
        "",
        "| scope | received | resolved | on time | median ms | max ms | ≤ 500 ms |",
        "|---|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
        f"Drill-down, first page of 20 late dossiers of the commune: median "
        f"{drill['median_ms']} ms, max {drill['max_ms']} ms; of the province: median "
        f"{report['drill_down_province']['median_ms']} ms,"
        f" max {report['drill_down_province']['max_ms']} ms."
        f" The commune folded afresh from its transition rows: {report['commune_from_rows_ms']} ms"
        f" (equal to the table: {report['table_equals_rows']}).",
    ]
    if generation:
        lines.append(f"Generation (with the facts trigger): {generation['wall_seconds']} s.")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    env = app_environment(var_dir, DATABASE)
    os.environ.update(env)
    generation = None
    try:
        if not args.reuse:
            generation = prepare(env, args.count)
            print(generation["summary"], file=sys.stderr)
        report = measure(args.runs)
        from chinhquyen.dossiers.models import Dossier

        report["dossiers"] = Dossier.objects.count()
        report["date"] = date.today().isoformat()
        print(markdown(report, generation))
        print(json.dumps({"statistics": report, "generation": generation}, ensure_ascii=False))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(DATABASE)


if __name__ == "__main__":
    main()
