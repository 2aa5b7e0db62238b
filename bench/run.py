"""`make bench`: the app under gunicorn on PostgreSQL, one staff member signed in over HTTP, and
wrk against a bare JSON endpoint, the readiness check and the staff home.

    .venv/bin/python bench/run.py [--quick] [--threads 2] [--connections 16] [--duration 15]

Results go to bench/results/<UTC timestamp>.json and a Markdown table is printed."""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import PG_ADMIN_URL, AppConfig, running_app  # noqa: E402
from bench.signin import SESSION_COOKIE, sign_in  # noqa: E402
from bench.wrk import Load, WrkResult, run_wrk  # noqa: E402

RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Target:
    path: str
    signed_in: bool
    must_contain: str


TARGETS = (
    Target("/api/v1/ping", signed_in=False, must_contain='"status": "ok"'),
    Target("/readyz", signed_in=False, must_contain='"ready": true'),
    Target("/can-bo/", signed_in=True, must_contain="Xin chào"),
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect surfaces as an HTTPError with its 3xx status


def check_target(url: str, target: Target, headers: dict[str, str]) -> None:
    """The target answers 200 with its real content (not, say, a redirect to sign-in)."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback http)
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, ""
    if status != 200 or target.must_contain not in body:
        raise RuntimeError(f"{target.path} answered {status}, not the expected page")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s per target (smoke run)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--duration", type=int, default=15, help="seconds per target")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--production-settings",
        action="store_true",
        help="serve with DJANGO_DEBUG=0 (the demo data is still loaded with DEBUG on)",
    )
    parser.add_argument("--persona", default="motcua", help="demo staff username")
    return parser.parse_args()


def _command_output(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else ""


def machine() -> dict[str, object]:
    import psycopg

    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0]
    with psycopg.connect(PG_ADMIN_URL) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {
        "nproc": os.cpu_count(),
        "memory_kib": int(meminfo.split()[1]),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": row[0] if row else "",
        "gunicorn": _command_output(str(ROOT / ".venv/bin/gunicorn"), "--version"),
        "wrk": _command_output("sh", "-c", "wrk -v 2>&1 | head -1"),
        "commit": _command_output("git", "describe", "--always", "--dirty"),
    }


def persona_credentials(username: str) -> tuple[str, str, str]:
    import django

    django.setup()  # personas name their role through the org models
    from chinhquyen.core.demo.personas import persona_by_username

    persona = persona_by_username(username)
    if persona is None:
        raise SystemExit(f"bench: {username} is not a demo persona")
    return persona.username, persona.password, persona.totp_secret


def measure(config: AppConfig, load: Load, username: str) -> dict[str, WrkResult]:
    # Each worker imports lazily and opens its database connection on first use: warm up
    # every target for a couple of seconds before the measured run.
    warm_up = replace(load, seconds=max(1, min(load.seconds // 3, 3)))
    with running_app(config) as env:
        os.environ.update(env)
        session = sign_in(config.base_url, *persona_credentials(username))
        cookie = {"Cookie": f"{SESSION_COOKIE}={session}"}
        results: dict[str, WrkResult] = {}
        for target in TARGETS:
            url, headers = config.base_url + target.path, cookie if target.signed_in else {}
            check_target(url, target, headers)
            print(
                f"wrk {target.path}: {load.seconds} s after {warm_up.seconds} s warm-up",
                file=sys.stderr,
            )
            run_wrk(url, warm_up, headers)
            results[target.path] = run_wrk(url, load, headers)
            check_target(url, target, headers)  # and still signed in afterwards
        return results


def markdown_table(results: dict[str, WrkResult]) -> str:
    columns = ["Target", "Requests/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "Requests"]
    columns += ["Non-2xx", "Socket errors"]
    lines = ["| " + " | ".join(columns) + " |", "|---" + "|---:" * (len(columns) - 1) + "|"]
    for path, r in results.items():
        lines.append(
            f"| `{path}` | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p90_ms:.1f} "
            f"| {r.p99_ms:.1f} | {r.max_ms:.1f} | {r.requests:,} | {r.non_2xx} "
            f"| {r.socket_errors} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the database dropped either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    config = AppConfig(port=args.port, workers=args.workers, debug=not args.production_settings)
    load = Load(args.threads, args.connections, 3 if args.quick else args.duration)
    started = datetime.now(UTC)
    results = measure(config, load, args.persona)
    RESULTS.mkdir(exist_ok=True)
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "gunicorn_workers": config.workers,
        "django_debug": config.debug,
        "load": asdict(load),
        "results": {path: asdict(result) for path, result in results.items()},
    }
    output = RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(markdown_table(results))
    wrk = f"wrk -t{load.threads} -c{load.connections} -d{load.seconds}s"
    print(f"\nDJANGO_DEBUG={int(config.debug)}; {config.workers} gunicorn workers; {wrk}")
    print(f"Saved to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the clean-up in running_app has already run
        sys.stderr.write("bench: interrupted; gunicorn stopped, database dropped\n")
        sys.exit(130)
