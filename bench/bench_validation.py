"""Validation throughput: documents per second on one core for a 2-signature, 5-page PDF.

    DJANGO_DEBUG=1 .venv/bin/python bench/bench_validation.py [--iterations N]

Runs against a throw-away SQLite database in a temporary VAR_DIR. The certificates point at a
local OCSP server; the first validation fetches (the cold number), the measured ones run with
fetching off and the revocation cache warm, as a busy public check page would. Prints a Markdown
table and writes JSON to bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup() -> None:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-validation-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _timed(function: Callable[[], object], iterations: int) -> list[float]:
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=500)
    args = parser.parse_args()
    _setup()

    from chinhquyen.signing import demo_pki
    from chinhquyen.signing.trust import do_add_trust_anchor
    from chinhquyen.signing.validation import chain, revocation
    from chinhquyen.signing.validation.engine import validate_pdf_bytes
    from chinhquyen.signing.validation.report import Verdict
    from tests.signing.pdfs import make_pdf
    from tests.signing.validation_helpers import revocation_server, sign

    root = demo_pki.make_root("Bench Root")
    ca = demo_pki.make_intermediate(root, "Bench Government CA")
    do_add_trust_anchor(root.der, name="Bench Root", kind="root", acting_user=None)
    do_add_trust_anchor(ca.der, name="Bench CA", kind="intermediate", acting_user=None)
    with revocation_server(ca, demo_pki.issue_ocsp_responder(ca)) as server:
        person, agency = server.issue("Nguyen Van An"), server.issue("UBND tinh")
        document = sign(sign(make_pdf(5), person, [ca], "NguoiKy"), agency, [ca], "CoQuan")
        start = time.perf_counter()
        cold_report = validate_pdf_bytes(document, fetch=True)
        cold = time.perf_counter() - start
    assert cold_report.verdict == Verdict.VALID, cold_report.to_json()
    chain.clear_cache()
    revocation.clear_cache()
    start = time.perf_counter()
    validate_pdf_bytes(document, fetch=False)  # caches from the database, not the network
    cold_cached = time.perf_counter() - start
    samples = _timed(lambda: validate_pdf_bytes(document, fetch=False), args.iterations)
    assert validate_pdf_bytes(document, fetch=False).verdict == Verdict.VALID
    mean = statistics.fmean(samples)
    result = {
        "benchmark": "validation",
        "document": {"pages": 5, "signatures": 2, "bytes": len(document)},
        "iterations": args.iterations,
        "cold_with_fetch_ms": round(cold * 1000, 2),
        "cold_in_process_cache_ms": round(cold_cached * 1000, 2),
        "warm_mean_ms": round(mean * 1000, 3),
        "warm_median_ms": round(statistics.median(samples) * 1000, 3),
        "warm_p95_ms": round(sorted(samples)[int(len(samples) * 0.95)] * 1000, 3),
        "documents_per_second": round(1 / mean, 1),
        "at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }
    print("| measure | value |\n|---|---|")
    for key in (
        "cold_with_fetch_ms",
        "cold_in_process_cache_ms",
        "warm_mean_ms",
        "warm_median_ms",
        "warm_p95_ms",
        "documents_per_second",
    ):
        print(f"| {key} | {result[key]} |")
    out = ROOT / "bench" / "results" / f"validation-{datetime.now(tz=UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\n{out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
