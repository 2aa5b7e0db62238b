"""The Markdown report of `bench_citizens.py` (the tables pasted into docs/benchmarks.md)."""

from __future__ import annotations

from typing import Any


def _tracking_table(tracking: dict[str, Any]) -> list[str]:
    ping = tracking.get("ping", {}).get("requests_per_second", 0.0) or 1.0
    lines = [
        "| Target | Requests/s | vs ping | p50 ms | p90 ms | p99 ms | max ms | Requests "
        "| Non-2xx | Socket errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in tracking.items():
        lines.append(
            f"| {name} | {r['requests_per_second']:,.0f} | {r['requests_per_second'] / ping:.2f} "
            f"| {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} "
            f"| {r['requests']:,} | {r['non_2xx']} | {r['socket_errors']} |"
        )
    return lines


def _latency_table(rows: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| Request | count | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['requests']:,} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
            f"| {r['max_ms']} |"
        )
    return lines


def markdown(report: dict[str, Any]) -> str:
    options, generation = report["options"], report["generation"]
    sub = report.get("submission", {})
    paced = sub.get("paced", {})
    lines = [
        f"Generation: {generation['summary']}",
        "",
        f"Tracking: wrk -t{options['threads']} -c{options['connections']} "
        f"-d{options['duration']}s, {report.get('tracking_sample', 0):,} sampled dossiers",
        "",
        *_tracking_table(report.get("tracking", {})),
        "",
        f"Submission: {sub.get('submitters')} submitters, {sub.get('drafts')} drafts, "
        f"sign-in by {sub.get('sign_in')}; paced at {paced.get('offered_per_second')}/s: "
        f"{paced.get('submissions')} in {paced.get('seconds')} s "
        f"({paced.get('achieved_per_second')}/s, ended {paced.get('lag_seconds')} s after the "
        f"last was due); all at once: {sub.get('submissions_per_second')} submissions/s over "
        f"{sub.get('submit_seconds')} s",
        "",
        *_latency_table(
            {
                "submit, paced (from when due)": paced.get("latency", {}),
                "submit, all at once": sub.get("submit", {}),
                **sub.get("preparation", {}),
            }
        ),
        "",
        f"Codes: {sub.get('codes_returned')} returned, {sub.get('distinct_codes_returned')} "
        f"distinct, {sub.get('duplicate_codes_in_database')} duplicated in the database, "
        f"day's numbers 1…{sub.get('counter_last_number')} gapless: "
        f"{sub.get('day_numbers_gapless')}",
        "",
        "Worker RSS peak (MiB) by phase: "
        + ", ".join(f"{phase} {mib}" for phase, mib in report.get("rss_peak_mib", {}).items()),
        "",
        f"Load average (1, 5, 15 min) at start {report.get('load_average_at_start')}, at end "
        f"{report.get('load_average_at_end')}",
        "",
        "| Target | Met |",
        "|---|---|",
        *(f"| {name} | {'yes' if ok else 'NO'} |" for name, ok in report["verdict"].items()),
    ]
    return "\n".join(lines)
