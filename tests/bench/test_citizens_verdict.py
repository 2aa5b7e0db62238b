"""The verdict of bench/bench_citizens.py: what counts as meeting issue #3's submission targets."""

from __future__ import annotations

from typing import Any

from bench.bench_citizens import verdict

SUBMIT = "submission p95 ≤ 300 ms at 50/s"
RATE = "submission ≥ 50/s (paced, and all at once)"


def _report(*, offered: float = 50, lag: float = 0.2, p95: float = 120, burst: float = 80) -> Any:
    return {
        "generation": {"seconds": 100},
        "tracking": {},
        "submission": {
            "paced": {
                "offered_per_second": offered,
                "lag_seconds": lag,
                "latency": {"p95_ms": p95},
            },
            "submissions_per_second": burst,
            "duplicate_codes_in_database": 0,
            "distinct_codes_returned": 10,
            "codes_returned": 10,
            "day_numbers_gapless": True,
        },
        "rss_peak_mib": {"x": 150.0},
    }


def test_kept_rate_with_a_low_p95_meets_both() -> None:
    checks = verdict(_report())
    assert checks[SUBMIT] and checks[RATE]


def test_a_run_that_fell_behind_the_schedule_meets_neither() -> None:
    checks = verdict(_report(lag=4.0, p95=120))  # the rate was not sustained
    assert not checks[SUBMIT] and not checks[RATE]


def test_paced_below_the_target_rate_does_not_count() -> None:
    checks = verdict(_report(offered=20))
    assert not checks[SUBMIT] and not checks[RATE]


def test_slow_submissions_or_a_slow_burst_fail_their_target() -> None:
    assert not verdict(_report(p95=301))[SUBMIT]
    assert not verdict(_report(burst=49))[RATE]
