"""Signing throughput on one core, single process:

    DJANGO_DEBUG=1 .venv/bin/python bench/bench_signing.py [--seconds 3]

- raw RSA-2048 PKCS#1 v1.5 / SHA-256 sign operations per second (cryptography);
- a naive pyHanko setup: `SimpleSigner` (re-loads and re-validates the key on each signature);
- ours: `LoadedKeySigner` + `pades.sign_pdf`, PAdES B-B on a 5-page PDF, invisible and with the
  person's signature image.

Prints a Markdown table and writes bench/results/signing-<UTC timestamp>.json."""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")

import django  # noqa: E402

django.setup()

from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402

from chinhquyen.signing import appearance, demo_pki, images, pades  # noqa: E402
from chinhquyen.signing.signers import LoadedKeySigner  # noqa: E402
from tests.signing.pdfs import SIGNATURE_BLOCK, make_pdf  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def rate(operation: Callable[[], object], seconds: float) -> tuple[float, int]:
    operation()  # warm-up
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        operation()
        count += 1
    return count / elapsed, count


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    seconds = parser.parse_args().seconds
    pinning = pin_one_core()
    root = demo_pki.make_root("Bench Root")
    ca = demo_pki.make_intermediate(root, "Bench CA")
    leaf = demo_pki.issue_signing_certificate(ca, "Bench Signer")
    pdf = make_pdf(pages=5)
    cert = asn1_x509.Certificate.load(leaf.der)
    chain = SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(ca.der)])
    key_info = asn1_keys.PrivateKeyInfo.load(
        leaf.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    digest = os.urandom(32)

    def raw() -> object:
        return leaf.key.sign(digest, padding.PKCS1v15(), hashes.SHA256())

    naive_signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=key_info, cert_registry=chain
    )

    def naive() -> object:
        meta = signers.PdfSignatureMetadata(
            field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        return signers.PdfSigner(meta, signer=naive_signer).sign_pdf(writer).getvalue()

    ours_signer = LoadedKeySigner(private_key=leaf.key, signing_cert=cert, cert_registry=chain)

    def ours() -> object:
        return pades.sign_pdf(pdf, ours_signer, level="B-B", field_name="Sig1")

    picture = images.signature_image("Bench Signer")
    spec = appearance.ImageSpec(picture.png, picture.width_mm, picture.height_mm)
    placement = appearance.BlockPlacement(
        SIGNATURE_BLOCK.centre_x, SIGNATURE_BLOCK.title_baseline_y, SIGNATURE_BLOCK.name_baseline_y
    )

    def ours_visible() -> object:
        look = appearance.person_appearance(placement, spec)
        return pades.sign_pdf(pdf, ours_signer, level="B-B", field_name="Sig1", appearance=look)

    rows = []
    for name, operation in (
        ("raw RSA-2048 PKCS#1 v1.5 sign (cryptography)", raw),
        ("naive pyHanko SimpleSigner, PAdES B-B, 5-page PDF", naive),
        ("ours: LoadedKeySigner + sign_pdf, PAdES B-B, 5-page PDF", ours),
        ("ours, B-B with the visible signature image", ours_visible),
    ):
        per_second, count = rate(operation, seconds)
        rows.append({"case": name, "per_second": round(per_second, 1), "operations": count})
    report = {
        "at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": pinning,
        "seconds_per_case": seconds,
        "rows": rows,
    }
    print("| Case | per second | operations |\n|---|---:|---:|")
    for row in rows:
        print(f"| {row['case']} | {row['per_second']} | {row['operations']} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"signing-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\n{pinning}; written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
