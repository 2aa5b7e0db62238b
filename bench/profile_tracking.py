"""CPU per request of the public tracking endpoints, in-process (docs/benchmarks.md, issue #3).

Wall time is noisy on the shared 2-core machine; this runs Django's test Client in one process
against a PostgreSQL database holding the demo and generated dossiers, and prints for each mode
the least `time.process_time()` of REPS batches of 50 requests and the Python calls per request
(cProfile, exact). `PROF=<mode>` prints that mode's profile (CPU time, sorted by SORT).

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x DATABASE_URL=postgres://…/db \\
        .venv/bin/python bench/profile_tracking.py ping api page miss form

Modes: ping (`/api/v1/ping`), api and page (a found dossier), miss (not found: records a failure;
the limit is lifted for the run), form (the empty lookup form). Failure windows are cleared at
the start."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

BATCH = 50


def sample(database_url: str) -> list[tuple[str, str]]:
    with psycopg.connect(database_url) as conn:
        conn.execute("DELETE FROM dossiers_lookupfailurewindow")
        conn.execute("SELECT setseed(0.3)")
        rows = conn.execute(
            "SELECT code, right(applicant_phone, 4) FROM dossiers_dossier "
            "ORDER BY random() LIMIT 200"
        ).fetchall()
    return [(str(code), str(check)) for code, check in rows]


def urls(mode: str, rows: list[tuple[str, str]], n: int) -> Iterator[str]:
    for i in range(n):
        code, check = rows[i % len(rows)]
        yield {
            "page": f"/tra-cuu-ho-so/?ma={code}&kiem_tra={check}",
            "api": f"/api/v1/tracking/{code}?check={check}",
            "ping": "/api/v1/ping",
            "miss": f"/tra-cuu-ho-so/?ma={code}X&kiem_tra={check}",
            "form": "/tra-cuu-ho-so/",
        }[mode]


def run(client: Client, mode: str, rows: list[tuple[str, str]], n: int) -> None:
    for url in urls(mode, rows, n):
        status = client.get(url).status_code
        if status not in (200, 404):
            raise SystemExit(f"{url}: {status}")


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    rows = sample(os.environ["DATABASE_URL"])
    reps = int(os.environ.get("REPS", "30"))
    for mode in sys.argv[1:] or ["ping", "api", "page", "miss", "form"]:
        client = Client(REMOTE_ADDR="203.0.113.9" if mode != "miss" else "198.51.100.1")
        if mode == "miss":
            settings.TRACKING_MAX_FAILURES_PER_ADDRESS = 10**9
        run(client, mode, rows, 500)  # warm: prepared statements, templates, caches
        if os.environ.get("PROF") == mode:
            profile = cProfile.Profile(time.process_time)
            profile.runcall(run, client, mode, rows, 500)
            stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("LINES", "60")))
        best = min(_batch(client, mode, rows) for _ in range(reps))
        counter = cProfile.Profile()
        counter.runcall(run, client, mode, rows, 500)
        calls = pstats.Stats(counter).total_calls / 500  # type: ignore[attr-defined]
        print(f"{mode}: {best:.3f} ms CPU/request (least of {reps} batches), {calls:.0f} calls")


def _batch(client: Client, mode: str, rows: list[tuple[str, str]]) -> float:
    started = time.process_time()
    run(client, mode, rows, BATCH)
    return (time.process_time() - started) / BATCH * 1000


if __name__ == "__main__":
    main()
