"""Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) PDF generation rate (target: ≥ 20/s):

    DJANGO_DEBUG=1 .venv/bin/python bench/bench_forms.py \
        [--database-url postgres://postgres@127.0.0.1:5432/chinhquyen_bench_forms | sqlite] \
        [--dossiers 50] [--seconds 10]

Creates the database (PostgreSQL: dropped at the end, whatever happens; `sqlite`: a throw-away
file in a temporary VAR_DIR), migrates, submits `--dossiers` birth-registration dossiers through
the real actions (each with its documents) and accepts them just before Tết 2026. Then each
generation is what the back office does after acceptance: load the dossier, build the context
(register position, documents, the accepting officer: 4 queries), render the template, lay it out
with WeasyPrint, embed the font subsets and the QR code. Measured in one process and in one
process per core at once (the machine's throughput), with the CPU time per PDF beside them: on a
machine shared with other work the wall-clock rates fall with the load average (printed), the
CPU time much less.

Prints a Markdown table and writes bench/results/forms-<UTC timestamp>.json."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chinhquyen_bench_forms"


def _setup_django(database_url: str) -> None:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-forms-")
    if database_url == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # Set up as the web process that serves the forms is (views imported, what is loaded frozen
    # out of the garbage collector's way): the generation measured is the one it runs.
    import chinhquyen.wsgi  # noqa: F401


def _make_dossiers(count: int) -> list[int]:
    """`count` accepted dossiers of one receiving agency, as the forms tests build them."""
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from chinhquyen.notifications.defaults import load_default_templates
    from chinhquyen.org.models import Role
    from tests import dossier_helpers as h
    from tests.conftest import citizen_with_profile
    from tests.dossiers.forms.conftest import accept
    from tests.factories import AgencyFactory, staff_with_role

    load_default_templates()
    root = AgencyFactory.create(identifier_code="000.00.00.H99", name="UBND tỉnh Thử nghiệm")
    agency = AgencyFactory.create(identifier_code="000.00.01.H99", name="Sở Tư pháp", parent=root)
    officer = staff_with_role(agency, Role.ONE_STOP_OFFICER, full_name="Lê Thị Tiếp Nhận")
    citizen = citizen_with_profile(
        "congdan",
        full_name="Nguyễn Văn An",
        email="an.nguyen@example.vn",
        phone="0912345678",
        personal_id=h.PERSONAL_ID,
        date_of_birth=date(1985, 3, 1),
    )
    version = h.publish_procedure(
        agency, time_limit={"value": "5", "unit": "working_days", "note": ""}
    )
    start = datetime(2026, 2, 10, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    ids = []
    for index in range(count):
        dossier = h.submitted_dossier(citizen, version)
        accept(dossier, officer, start + timedelta(minutes=7 * index))
        ids.append(dossier.pk)
    return ids


def _generate(ids: list[int], seconds: float) -> tuple[int, float, int, float]:
    """Generate receipts round-robin over `ids` for `seconds`: (count, elapsed wall time, last
    PDF size, CPU time of this process)."""
    from chinhquyen.dossiers import forms
    from chinhquyen.dossiers.models import Dossier

    def one(pk: int) -> bytes:
        related = ("procedure_version", "receiving_agency__parent", "handling_agency")
        dossier = Dossier.objects.select_related(*related).get(pk=pk)
        return forms.receipt_pdf(dossier)

    size = len(one(ids[0]))  # warm-up: fonts loaded, templates compiled
    count, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        size = len(one(ids[count % len(ids)]))
        count += 1
    return count, elapsed, size, time.process_time() - cpu_started


def _worker(
    ids: list[int], seconds: float, queue: multiprocessing.Queue[tuple[int, float]]
) -> None:
    from django.db import connections

    connections.close_all()  # a fresh connection in the child, never the parent's socket
    count, elapsed, _size, _cpu = _generate(ids, seconds)
    queue.put((count, elapsed))


def _parallel(ids: list[int], seconds: float, processes: int) -> float:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[int, float]] = context.Queue()
    workers = [
        context.Process(target=_worker, args=(ids, seconds, queue)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds * 10 + 120) for _ in workers]
    for worker in workers:
        worker.join()
    return sum(count / elapsed for count, elapsed in results)


def _run(args: argparse.Namespace) -> dict[str, object]:
    _setup_django(args.database_url)
    started = time.perf_counter()
    ids = _make_dossiers(args.dossiers)
    setup_s = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    count, elapsed, size, cpu = _generate(ids, args.seconds)
    cores = os.cpu_count() or 1
    return {
        "load_average_1min_before": round(load_before, 2),
        "cpu_ms_per_pdf": round(cpu / count * 1000, 1),
        "cpu_bound_per_s_all_cores": round(cores * count / cpu, 1),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {cores} cores, Python {platform.python_version()}",
        "database": "SQLite" if args.database_url == "sqlite" else "PostgreSQL",
        "dossiers": len(ids),
        "setup_s": round(setup_s, 1),
        "one_process_per_s": round(count / elapsed, 1),
        "one_process_ms": round(elapsed / count * 1000, 1),
        "processes": cores,
        "all_cores_per_s": round(_parallel(ids, args.seconds, cores), 1),
        "pdf_bytes": size,
    }


def _print_and_save(report: dict[str, object]) -> None:
    target = 20
    print(f"## Mẫu 01 PDF generation ({report['database']}, {report['machine']})\n")
    print("| measure | result | target |")
    print("|---|---|---|")
    print(
        f"| one process | {report['one_process_per_s']}/s "
        f"({report['one_process_ms']} ms each) | ≥ {target}/s |"
    )
    processes, rate = report["processes"], report["all_cores_per_s"]
    print(f"| {processes} processes at once | {rate}/s | ≥ {target}/s |")
    print(
        f"| CPU time per PDF (one process) | {report['cpu_ms_per_pdf']} ms: "
        f"{report['cpu_bound_per_s_all_cores']}/s if {processes} idle cores did only this | |"
    )
    print(f"\nLoad average (1 min) before the run: {report['load_average_1min_before']}.")
    print(f"PDF size {report['pdf_bytes']} bytes; {report['dossiers']} dossiers round-robin.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"forms-{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


def _admin(url: str, statement: sql.SQL, database: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.format(sql.Identifier(database)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--dossiers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if args.database_url == "sqlite":
        _print_and_save(_run(args))
        return
    database = urlsplit(args.database_url).path.lstrip("/")
    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    _admin(admin_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"), database)
    _admin(admin_url, sql.SQL("CREATE DATABASE {}"), database)
    try:
        report = _run(args)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        _admin(admin_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"), database)
    _print_and_save(report)


if __name__ == "__main__":
    main()
