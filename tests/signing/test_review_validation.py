"""Fixes after the security review of the validator: decompression bombs, stale revocation
answers, certificates of the wrong purpose."""

from __future__ import annotations

import resource
import zlib
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from chinhquyen.signing.validation import chain, revocation
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from tests.signing.pdfs import make_pdf


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    chain.clear_cache()
    revocation.clear_cache()


def _with_dss_stream(decoded_size: int) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(make_pdf(1)), strict=False)
    compressed = zlib.compress(b"\0" * decoded_size, 9)
    stream = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
        encoded_data=compressed,
    )
    reference = writer.add_object(stream)
    writer.root["/DSS"] = generic.DictionaryObject(
        {generic.NameObject("/Certs"): generic.ArrayObject([reference])}
    )
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_dss_decompression_bomb_is_refused_without_filling_memory() -> None:
    bomb = _with_dss_stream(200 * 1024 * 1024)  # ~200 KB on disk, 200 MB decoded
    assert len(bomb) < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = validate_pdf_bytes(bomb, fetch=False)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert report.verdict != "valid"
    assert grown_mb < 64, f"validation grew the process by {grown_mb:.0f} MB"


@pytest.fixture
def anchors(db: None, pki: Any) -> None:
    from chinhquyen.signing.trust import do_add_trust_anchor

    do_add_trust_anchor(pki.root.der, name="Root", kind="root", acting_user=None)
    do_add_trust_anchor(pki.government_ca.der, name="GovCA", kind="intermediate", acting_user=None)


def test_a_stale_crl_fetched_online_is_not_proof_of_good_standing(
    anchors: None, pki: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRL past its next update, replayed by someone on the network path, is refused."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    from tests.signing.validation_helpers import revocation_server, sign

    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        signer = server.issue("Bi Thu Hoi", urls=server.crl_only_urls(), key=pki.revoked.key)
        signed = sign(make_pdf(1), signer, [pki.government_ca])
    now = datetime.now(tz=UTC)
    stale = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.government_ca.certificate.subject)
        .last_update(now - timedelta(days=30))
        .next_update(now - timedelta(days=23))
        .sign(pki.government_ca.key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    monkeypatch.setattr(revocation, "_http", lambda url, **kwargs: stale)
    report = validate_pdf_bytes(signed, fetch=True)
    assert report.verdict != "valid"
    assert report.signatures[0].revocation.status != "good"


def _tls_certificate(issuer: Any, urls: Any) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from chinhquyen.signing import demo_pki

    key = demo_pki.new_key()
    start = datetime.now(tz=UTC) - timedelta(days=1)
    builder = demo_pki._builder(
        demo_pki._name("www.example.gov.vn"), issuer, key, start, start + timedelta(days=300)
    )
    builder = builder.add_extension(
        x509.BasicConstraints(ca=False, path_length=None), critical=True
    )
    builder = builder.add_extension(
        x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
    )
    builder = builder.add_extension(
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
    )
    builder = demo_pki._with_revocation(builder, urls)
    return demo_pki.IssuedKey(builder.sign(issuer.key, hashes.SHA256()), key)


def test_certificates_for_other_purposes_never_make_a_valid_signature(
    anchors: None, pki: Any
) -> None:
    """A web-server certificate, a CA's own key and an OCSP responder's certificate are not
    document-signing certificates (RFC 5280 §4.2.1.12), even from a trusted CA."""
    from tests.signing.validation_helpers import revocation_server, sign

    with revocation_server(pki.government_ca, pki.ocsp_responder) as server:
        tls = _tls_certificate(pki.government_ca, server.urls())
        server.known[tls.serial] = tls.certificate
        cases = {
            "tls": sign(make_pdf(1), tls, [pki.government_ca]),
            "ca": sign(make_pdf(1), pki.government_ca, []),
            "ocsp": sign(make_pdf(1), pki.ocsp_responder, [pki.government_ca]),
        }
        for name, signed in cases.items():
            report = validate_pdf_bytes(signed, fetch=True)
            assert report.verdict == "invalid", name
            assert report.signatures[0].chain.status != "trusted", name
