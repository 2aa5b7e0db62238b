"""Run wrk against one URL and read its report (requests/s, latency percentiles, errors)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("wrk.lua")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    threads: int = 2
    connections: int = 16
    seconds: int = 15


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int


def run_wrk(
    url: str,
    load: Load,
    headers: dict[str, str],
    *,
    script: Path = LUA_SCRIPT,
    script_args: tuple[str, ...] = (),
) -> WrkResult:
    """`script` must print the `non-2xx: N` line of wrk.lua; `script_args` reach its init()."""
    command = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds}s"]
    command += ["--latency", "--timeout=10s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    arguments = ["--", *script_args] if script_args else []
    done = subprocess.run(
        [*command, url, *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=load.seconds + 60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed on {url}:\n{done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


DURATION = re.compile(r"([\d.]+)(us|ms|s|m)")


def _ms(value: str) -> float:
    """wrk prints durations as 812.00us, 4.31ms, 1.20s or 1.00m."""
    match = DURATION.fullmatch(value)
    if match is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise ValueError(f"wrk output has no match for {pattern!r}:\n{text}")
    return match.group(1)


def parse_wrk(text: str) -> WrkResult:
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return WrkResult(
        requests=int(_find(r"^\s*(\d+) requests in", text)),
        requests_per_second=float(_find(r"^Requests/sec:\s+([\d.]+)", text)),
        p50_ms=_ms(_find(r"^\s+50%\s+(\S+)", text)),
        p90_ms=_ms(_find(r"^\s+90%\s+(\S+)", text)),
        p99_ms=_ms(_find(r"^\s+99%\s+(\S+)", text)),
        max_ms=_ms(_find(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", text)),
        non_2xx=int(_find(r"^non-2xx: (\d+)", text)),
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )
