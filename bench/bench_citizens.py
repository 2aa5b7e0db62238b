"""Issue #3 performance acceptance, on PostgreSQL under gunicorn (run by `make bench`):

    .venv/bin/python bench/bench_citizens.py [--quick] [--count 1000000] [--duration 30]

1. generation: `generate_dossiers.py` fills a fresh demo database with --count dossiers
   (target: 1,000,000 in under 10 minutes);
2. tracking: wrk, 32 connections, against the bare JSON endpoint `/api/v1/ping`, then public
   tracking of random existing dossiers with a valid check (API and HTML page) — targets:
   tracking ≥ half the ping throughput of the same run, p99 ≤ 50 ms;
3. submission: 32 citizens (accounts made in the database, signed in over HTTP) prepare drafts
   through the API (form groups, place, one 200 KB PDF per required document), then submit them
   twice over: paced, the 32 together at the target's sustained 50 submissions/s (each
   submission's latency counted from its scheduled start, so a late server is not hidden), and
   all at once, as fast as they can (the highest rate; the day's numbers under contention) —
   targets: ≥ 50 submissions/s sustained, p95 ≤ 300 ms at that rate, no duplicate code;
4. memory: every gunicorn worker's VmRSS sampled through all of it (target: < 200 MB).

Writes bench/results/citizens-<UTC timestamp>.json and prints a Markdown report."""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import BIN, GUNICORN_PID, AppConfig, running_app  # noqa: E402
from bench.wrk import Load, WrkResult, run_wrk  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TRACKING_LUA = Path(__file__).with_name("wrk_tracking.lua")
RSS_LIMIT_MB = 200
DATABASE = "chinhquyen_bench_citizens"  # not run.py's: both may run on a shared machine


@dataclass(frozen=True)
class Options:
    count: int
    duration: int
    warm_up: int
    connections: int
    threads: int
    workers: int
    port: int
    submitters: int
    drafts_each: int
    paced_rate: float
    wards: int
    pdf_kb: int
    sample: int
    debug: bool


def parse_args() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 dossiers, 5 s runs")
    parser.add_argument("--count", type=int, default=None, help="dossiers (1,000,000)")
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk run (30)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--submitters", type=int, default=32)
    parser.add_argument(
        "--drafts-each", type=int, default=None, help="per submitter and phase (30)"
    )
    parser.add_argument(
        "--paced-rate", type=float, default=50.0, help="submissions/s of the paced phase (50)"
    )
    parser.add_argument("--pdf-kb", type=int, default=200)
    parser.add_argument(
        "--wards", type=int, default=1, help="communes receiving the submissions (1: one counter)"
    )
    parser.add_argument("--debug", action="store_true", help="serve with DJANGO_DEBUG=1")
    args = parser.parse_args()
    quick = args.quick
    return Options(
        count=args.count or (20_000 if quick else 1_000_000),
        duration=args.duration or (5 if quick else 30),
        warm_up=2 if quick else 5,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        port=args.port,
        submitters=args.submitters,
        drafts_each=args.drafts_each or (2 if quick else 30),
        paced_rate=args.paced_rate,
        wards=args.wards,
        pdf_kb=args.pdf_kb,
        sample=5_000 if quick else 50_000,
        debug=args.debug,
    )


# --- Memory ------------------------------------------------------------------------------------


class RssSampler:
    """Polls VmRSS of every child of the gunicorn master twice a second, per phase."""

    def __init__(self, master: int) -> None:
        self.master, self.phase = master, "start"
        self.peak: dict[str, int] = {}  # phase → max KiB of any worker
        self.workers: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _children(self) -> list[int]:
        path = Path(f"/proc/{self.master}/task/{self.master}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def sample(self) -> None:
        for pid in self._children():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue  # a worker restarting
            kib = next(int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line)
            self.workers.add(pid)
            self.peak[self.phase] = max(self.peak.get(self.phase, 0), kib)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()


# --- Data: generation and the tracking sample --------------------------------------------------


def generate(env: dict[str, str], options: Options, report: dict[str, Any]) -> None:
    script = [str(BIN / "python"), "bench/generate_dossiers.py"]
    command = [*script, "--count", str(options.count), "--json"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"generate_dossiers failed:\n{done.stderr}")
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    stats["wall_seconds_with_analyze"] = round(time.perf_counter() - started, 1)
    report["generation"] = stats
    print(stats["summary"], file=sys.stderr)


def export_sample(database_url: str, size: int, path: Path) -> int:
    """`code,check` lines for random existing dossiers (check: last 4 digits of the phone)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT setseed(0.3)")
        rows = conn.execute(
            "SELECT code, right(applicant_phone, 4) FROM dossiers_dossier "
            "ORDER BY random() LIMIT %s",
            [size],
        ).fetchall()
    path.write_text("".join(f"{code},{check}\n" for code, check in rows))
    return len(rows)


def checkpoint(database_url: str) -> float:
    """Write the bulk load's dirty pages out before measuring. Otherwise the checkpoint that
    follows a million rows runs during the first loads (run 5 started at load 2.8): a real
    province's dossiers arrive over years, not in the minute before the lookups."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    return round(time.perf_counter() - started, 1)


# --- Tracking ----------------------------------------------------------------------------------


def _get(url: str) -> tuple[int, str]:
    import requests

    answer = requests.get(url, timeout=30)
    return answer.status_code, answer.text


def tracking_targets(base_url: str, sample: Path) -> dict[str, str]:
    """The tracking endpoints that answer a valid lookup with the dossier (the others are left
    out, with a note, rather than measured as fast 404s)."""
    code, check = sample.read_text().splitlines()[0].split(",")
    probes = {
        "api": f"{base_url}/api/v1/tracking/{code}?check={check}",
        "page": f"{base_url}/tra-cuu-ho-so/?ma={code}&kiem_tra={check}",
    }
    found = {}
    for mode, url in probes.items():
        status, body = _get(url)
        if status == 200 and code in body:
            found[mode] = url
        else:
            print(f"tracking {mode}: {status}, not measured", file=sys.stderr)
    return found


def measure_tracking(
    config: AppConfig, options: Options, sample: Path, rss: RssSampler
) -> dict[str, WrkResult]:
    load = Load(options.threads, options.connections, options.duration)
    warm = replace(load, seconds=options.warm_up)
    results: dict[str, WrkResult] = {}
    ping = config.base_url + "/api/v1/ping"
    rss.phase = "ping"
    run_wrk(ping, warm, {})
    results["ping"] = run_wrk(ping, load, {})
    for mode in tracking_targets(config.base_url, sample):
        rss.phase = f"tracking {mode}"
        args = (str(sample), mode)
        run_wrk(config.base_url, warm, {}, script=TRACKING_LUA, script_args=args)
        results[f"tracking {mode}"] = run_wrk(
            config.base_url, load, {}, script=TRACKING_LUA, script_args=args
        )
    return results


# --- Submission --------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "requests": len(ms),
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(max(ms, default=0.0), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
    }


def measure_submission(config: AppConfig, options: Options, rss: RssSampler) -> dict[str, Any]:
    from django.utils import timezone

    from bench.citizens import (
        Citizen,
        Reception,
        Timings,
        create_citizens,
        prepare_draft,
        session_without_http,
    )
    from bench.sample_pdf import make_pdf

    people = create_citizens(options.submitters)
    citizens = [Citizen(config.base_url, person) for person in people]
    rss.phase = "sign-in"  # the password check is Argon2 in the worker (memory-hard)
    signed_in = all(citizen.sign_in() for citizen in citizens)
    if not signed_in:  # the sign-in page is not there: sessions made in this process
        for citizen in citizens:
            citizen.use_session(session_without_http(citizen.person))
    wards = _communes(options.wards)
    pdf, today = make_pdf(options.pdf_kb * 1024), timezone.localdate()
    prep = Timings()
    rss.phase = "submission: drafts and uploads"

    def prepare_all(citizen: Citizen, ward: Reception) -> list[str]:
        count = 2 * options.drafts_each  # one half for each phase
        return [prepare_draft(citizen, ward, pdf, prep, today) for _ in range(count)]

    with ThreadPoolExecutor(len(citizens)) as pool:
        places = [wards[i % len(wards)] for i in range(len(citizens))]
        drafts = list(pool.map(prepare_all, citizens, places))
    half = options.drafts_each
    rss.phase = "submission: paced"
    paced = _submit_paced(citizens, [d[:half] for d in drafts], options.paced_rate)
    rss.phase = "submission: all at once"
    burst = _submit_at_once(citizens, [d[half:] for d in drafts])
    return {
        "sign_in": "HTTP /tai-khoan/dang-nhap/" if signed_in else "SessionStore (no sign-in page)",
        "submitters": len(citizens),
        "drafts": sum(len(d) for d in drafts),
        "pdf_bytes": len(pdf),
        "wards": len(wards),
        "paced": paced,
        "submit_seconds": burst["seconds"],
        "submissions_per_second": burst["per_second"],
        "submit": burst["latency"],
        "preparation": {step: latency_summary(s) for step, s in prep.samples.items()},
        "codes": paced.pop("codes") + burst.pop("codes"),
    }


def _submit_at_once(citizens: list[Any], drafts: list[list[str]]) -> dict[str, Any]:
    """The submitters start together and each submits its drafts back to back."""
    from bench.citizens import Timings, submit_draft

    barrier, timings = threading.Barrier(len(citizens)), Timings()
    codes: list[str] = []

    def submit_all(citizen: Any, draft_ids: list[str]) -> None:
        barrier.wait()
        codes.extend(submit_draft(citizen, draft_id, timings) for draft_id in draft_ids)

    started = time.perf_counter()
    with ThreadPoolExecutor(len(citizens)) as pool:
        list(pool.map(submit_all, citizens, drafts))
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 2),
        "per_second": round(len(codes) / elapsed, 1),
        "latency": latency_summary(timings.samples.get("submit", [])),
        "codes": codes,
    }


def _submit_paced(citizens: list[Any], drafts: list[list[str]], rate: float) -> dict[str, Any]:
    """Submission k of the whole run is due at start + k / rate, dealt round-robin to the
    submitters (each has one request in flight at most). A submission's latency is counted from
    the moment it was due, not from when its submitter got to it: a server that falls behind
    the rate shows as latency instead of silently lowering the rate (coordinated omission)."""
    from bench.citizens import submit_draft

    n = len(citizens)
    total = sum(len(d) for d in drafts)
    latencies: list[float] = []
    codes: list[str] = []
    start = time.perf_counter() + 0.5  # every thread is waiting when the first one is due

    def run(index: int, citizen: Any, draft_ids: list[str]) -> None:
        from bench.citizens import Timings

        ignored = Timings()
        for j, draft_id in enumerate(draft_ids):
            due = start + (index + j * n) / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            codes.append(submit_draft(citizen, draft_id, ignored))
            latencies.append(time.perf_counter() - due)

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(run, range(n), citizens, drafts))
    elapsed = time.perf_counter() - start
    return {
        "offered_per_second": rate,
        "submissions": total,
        "seconds": round(elapsed, 2),
        "achieved_per_second": round(len(codes) / elapsed, 1),
        # How long after the last submission was due the run ended.
        "lag_seconds": round(elapsed - (total - 1) / rate, 2),
        "latency": latency_summary(latencies),
        "codes": codes,
    }


def _communes(n: int) -> list[Any]:
    """The wards the citizens file with. One (the default): every submission takes its number
    from the same (agency, day) counter row, the worst case for the code sequence."""
    from bench.citizens import Reception
    from chinhquyen.org.models import Agency

    agencies = list(
        Agency.objects.filter(
            kind=Agency.Kind.COMMUNE_COMMITTEE, is_active=True, administrative_unit__isnull=False
        )
        .select_related("administrative_unit")
        .order_by("identifier_code")[:n]
    )
    if not agencies:
        raise RuntimeError("no commune People's Committee in the demo data")
    return [
        Reception(a.pk, unit.code) for a in agencies if (unit := a.administrative_unit) is not None
    ]


def check_codes(database_url: str, codes: list[str]) -> dict[str, Any]:
    """No duplicate anywhere; for every (agency, day) that received a submission, the numbers
    in the database run 1…counter without a gap."""
    import psycopg

    gapless, last_numbers = True, []
    with psycopg.connect(database_url) as conn:
        duplicates = conn.execute(
            "SELECT count(*) FROM (SELECT code FROM dossiers_dossier GROUP BY code "
            "HAVING count(*) > 1) AS d"
        ).fetchone()
        for prefix in sorted({code.rsplit("-", 1)[0] for code in codes}):
            agency_code, day = prefix.split("-")
            numbers = sorted(
                int(code.rsplit("-", 1)[1])
                for (code,) in conn.execute(
                    "SELECT code FROM dossiers_dossier WHERE code LIKE %s", [prefix + "-%"]
                )
            )
            counter = conn.execute(
                "SELECT c.last_number FROM dossiers_dossiercodecounter c JOIN org_agency a "
                "ON a.id = c.agency_id WHERE a.identifier_code = %s "
                "AND c.day = to_date(%s, 'YYMMDD')",
                [agency_code, day],
            ).fetchone()
            last = counter[0] if counter else 0
            gapless = gapless and numbers == list(range(1, last + 1))
            last_numbers.append(last)
    return {
        "duplicate_codes_in_database": duplicates[0] if duplicates else 0,
        "distinct_codes_returned": len(set(codes)),
        "codes_returned": len(codes),
        "day_numbers_gapless": gapless,
        "counter_last_number": max(last_numbers, default=0),
    }


# --- The run -----------------------------------------------------------------------------------


def main() -> None:
    options = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    config = AppConfig(
        port=options.port, workers=options.workers, debug=options.debug, database=DATABASE
    )
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": asdict(options),
    }
    report["machine"] = _machine()  # the commit served is the one checked out now
    report["load_average_at_start"] = os.getloadavg()  # the machine is shared: noise
    with tempfile.TemporaryDirectory(prefix="chinhquyen-citizens-") as scratch:
        sample = Path(scratch) / "tracking.csv"

        def prepare(env: dict[str, str]) -> None:
            generate(env, options, report)
            report["tracking_sample"] = export_sample(env["DATABASE_URL"], options.sample, sample)
            report["checkpoint_seconds"] = checkpoint(env["DATABASE_URL"])

        with running_app(config, prepare) as env:
            os.environ.update(env)
            import django

            django.setup()
            with RssSampler(int(env[GUNICORN_PID])) as rss:
                results = measure_tracking(config, options, sample, rss)
                report["tracking"] = {name: asdict(r) for name, r in results.items()}
                submission = measure_submission(config, options, rss)
                rss.sample()
            codes = submission.pop("codes")
            report["submission"] = submission | check_codes(env["DATABASE_URL"], codes)
            report["rss_peak_mib"] = {k: round(v / 1024, 1) for k, v in rss.peak.items()}
            report["load_average_at_end"] = os.getloadavg()
            report["gunicorn_workers_seen"] = len(rss.workers)
    report["verdict"] = verdict(report)
    _save_and_print(report)


def verdict(report: dict[str, Any]) -> dict[str, bool]:
    tracking, sub = report.get("tracking", {}), report.get("submission", {})
    ping = tracking.get("ping", {}).get("requests_per_second", 0.0)
    checks = {"generation < 600 s": report["generation"]["seconds"] < 600}
    for name, result in tracking.items():
        if name.startswith("tracking"):
            checks[f"{name} ≥ ½ ping"] = result["requests_per_second"] >= ping / 2
            checks[f"{name} p99 ≤ 50 ms"] = result["p99_ms"] <= 50
    paced = sub.get("paced", {})
    # Sustained: the paced phase kept the target's rate (its last submission ended within a
    # second of the schedule's end); all at once, the highest rate is ≥ 50/s too.
    kept = paced.get("offered_per_second", 0) >= 50 and paced.get("lag_seconds", 1e9) <= 1.0
    checks["submission ≥ 50/s (paced, and all at once)"] = (
        kept and sub.get("submissions_per_second", 0) >= 50
    )
    checks["submission p95 ≤ 300 ms at 50/s"] = (
        kept and paced.get("latency", {}).get("p95_ms", 1e9) <= 300
    )
    checks["no duplicate code"] = (
        sub.get("duplicate_codes_in_database") == 0
        and sub.get("distinct_codes_returned") == sub.get("codes_returned")
        and bool(sub.get("day_numbers_gapless"))
    )
    peak = max(report.get("rss_peak_mib", {}).values(), default=0.0)
    checks[f"worker RSS < {RSS_LIMIT_MB} MB"] = 0 < peak < RSS_LIMIT_MB
    return checks


def _save_and_print(report: dict[str, Any]) -> None:
    from bench.citizens_report import markdown

    RESULTS.mkdir(exist_ok=True)
    stamp = report["started_at"].replace("-", "").replace(":", "").replace("+0000", "Z")
    output = RESULTS / f"citizens-{stamp[:15]}Z.json"
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(markdown(report))
    print(f"\nSaved to {output.relative_to(ROOT)}")


def _machine() -> dict[str, object]:
    from bench.run import machine

    return machine()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.stderr.write("bench: interrupted; gunicorn stopped, database dropped\n")
        sys.exit(130)
