"""PAdES signing: person then organisation, both intact in pyHanko's validator and in poppler's
pdfsig; one changed byte breaks them; B-T carries the test TSA's token; B-LT embeds revocation
data or refuses."""

# ruff: noqa: F811 - pytest fixtures imported from tests.signing.servers

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.signing import pades
from chinhquyen.signing.actions import (
    SigningStep,
    do_sign_document,
    do_sign_person_then_organisation,
)
from chinhquyen.signing.appearance import BlockPlacement
from chinhquyen.signing.signers import LoadedKeySigner
from tests.signing.pdfs import SIGNATURE_BLOCK
from tests.signing.servers import (  # noqa: F401 - fixtures
    fresh_code,
    revocation_server,
    signing_world,
    tsa_server,
)

PLACEMENT = BlockPlacement(
    centre_x=SIGNATURE_BLOCK.centre_x,
    title_baseline_y=SIGNATURE_BLOCK.title_baseline_y,
    name_baseline_y=SIGNATURE_BLOCK.name_baseline_y,
    font_size=SIGNATURE_BLOCK.font_size,
)
needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils missing")


def sign_pair(world: Any, pdf: bytes, level: pades.Level = "B-B") -> bytes:
    personas = world.personas
    return do_sign_person_then_organisation(
        pdf,
        person=SigningStep(
            world.person_certificate, personas.leader_a, fresh_code(personas.leader_a)
        ),
        organisation=SigningStep(
            world.organisation_certificate, personas.clerk_a, fresh_code(personas.clerk_a)
        ),
        placement=PLACEMENT,
        level=level,
    )


def pyhanko_statuses(pdf: bytes, pki: Any) -> list[Any]:
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(pki.root.der)], allow_fetching=False
    )
    reader = PdfFileReader(io.BytesIO(pdf))
    return [validate_pdf_signature(sig, context) for sig in reader.embedded_signatures]


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout + result.stderr


@pytest.fixture
def signed_pair(signing_world: Any, sample_pdf: bytes) -> bytes:
    return sign_pair(signing_world, sample_pdf)


@needs_pdfsig
def test_signing_pair_valid_in_pdfsig(signed_pair: bytes, tmp_path: Path) -> None:
    output = pdfsig(signed_pair, tmp_path)
    assert output.count("Signature Validation: Signature is Valid.") == 2, output
    assert "Signature #2" in output and "Signature #3" not in output
    assert output.count("ETSI.CAdES.detached") == 2


def test_signing_pair_valid_in_pyhanko(signed_pair: bytes, pki: Any, sample_pdf: bytes) -> None:
    statuses = pyhanko_statuses(signed_pair, pki)
    assert len(statuses) == 2
    for status in statuses:
        assert status.intact and status.valid and status.trusted
    assert statuses[0].signing_cert.subject.native["common_name"] == "Nguyen Van An"
    assert statuses[1].signing_cert.subject.native["common_name"] == "UBND tinh Hung Yen"
    # Incremental updates: the original bytes are untouched at the start of the file.
    assert signed_pair.startswith(sample_pdf)


def _our_validator() -> Any:
    """The platform's own validator (built alongside; ADR 0005), when it is there."""
    try:
        from chinhquyen.signing.validation.engine import validate_pdf_bytes
    except ImportError:
        pytest.skip("chinhquyen.signing.validation.engine is not there yet")
    return validate_pdf_bytes


def test_signing_pair_our_validator(signed_pair: bytes) -> None:
    validate = _our_validator()
    report = validate(signed_pair, fetch=False)
    assert len(report.signatures) == 2, report.summary
    for signature in report.signatures:
        assert signature.integrity.ok, signature.integrity.message
        assert signature.chain.status == "trusted", signature.chain.message
    tampered = bytearray(signed_pair)
    tampered[signed_pair.index(b"Noi dung dong 3")] ^= 0x01
    broken = validate(bytes(tampered), fetch=False)
    assert not any(signature.integrity.ok for signature in broken.signatures)


@needs_pdfsig
def test_signing_one_changed_byte_invalidates(signed_pair: bytes, pki: Any, tmp_path: Path) -> None:
    position = signed_pair.index(b"Noi dung dong 3")
    tampered = bytearray(signed_pair)
    tampered[position] ^= 0x01
    statuses = pyhanko_statuses(bytes(tampered), pki)
    assert not any(status.intact for status in statuses)
    output = pdfsig(bytes(tampered), tmp_path)
    assert "Signature is Valid" not in output
    assert output.count("Signature Validation: Digest Mismatch.") == 2, output


def test_signing_audit_rows_carry_hashes(signed_pair: bytes, signing_world: Any) -> None:
    import hashlib

    rows = list(AuditEvent.objects.filter(action="signing.sign").order_by("seq"))
    assert len(rows) == 2
    first, second = rows[0].after or {}, rows[1].after or {}
    assert second["sha256_after"] == hashlib.sha256(signed_pair).hexdigest()
    assert second["sha256_before"] == first["sha256_after"]
    assert first["certificate_fingerprint"] == signing_world.person_certificate.fingerprint_sha256
    assert rows[0].actor_id == signing_world.personas.leader_a.pk


def test_signing_b_t_has_tsa_token(
    signing_world: Any, sample_pdf: bytes, tsa_server: Any, settings: Any, pki: Any
) -> None:
    settings.SIGNING_TSA_URL = tsa_server.url
    signed = sign_pair(signing_world, sample_pdf, level="B-T")
    assert len(tsa_server.requests) >= 2  # one token per signature
    for status in pyhanko_statuses(signed, pki):
        assert status.intact and status.valid
        assert status.timestamp_validity is not None
        assert status.timestamp_validity.intact and status.timestamp_validity.valid
        assert status.timestamp_validity.signing_cert.subject.native["common_name"] == "Demo TSA"


def test_signing_b_t_without_tsa_is_refused(
    signing_world: Any, sample_pdf: bytes, settings: Any
) -> None:
    settings.SIGNING_TSA_URL = None
    leader = signing_world.personas.leader_a
    with pytest.raises(DomainError) as refused:
        do_sign_document(
            sample_pdf,
            certificate=signing_world.person_certificate,
            acting_user=leader,
            second_factor_code=fresh_code(leader),
            placement=PLACEMENT,
            level="B-T",
        )
    assert refused.value.code == "no_tsa"


def _long_term_signer(revocation_server: Any, pki: Any) -> LoadedKeySigner:
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    issued = revocation_server.issue("Nguyen Van Dai Han")
    return LoadedKeySigner(
        private_key=issued.key,
        signing_cert=asn1_x509.Certificate.load(issued.der),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(pki.government_ca.der)]
        ),
    )


def test_signing_b_lt_embeds_revocation_data(
    signing_world: Any, sample_pdf: bytes, tsa_server: Any, revocation_server: Any, pki: Any
) -> None:
    signer = _long_term_signer(revocation_server, pki)
    signed = pades.sign_pdf(
        sample_pdf,
        signer,
        level="B-LT",
        field_name="SigLT",
        tsa_url=tsa_server.url,
        validation_context=pades.trust_context(fetch=True),
    )
    assert revocation_server.hits  # the OCSP responder or the CRL was asked
    reader = PdfFileReader(io.BytesIO(signed))
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 2
    assert "/OCSPs" in dss or "/CRLs" in dss
    status = pyhanko_statuses(signed, pki)[0]
    assert status.intact and status.valid and status.timestamp_validity is not None


def test_signing_b_lt_refused_when_revocation_unreachable(
    signing_world: Any, sample_pdf: bytes, tsa_server: Any, revocation_server: Any, pki: Any
) -> None:
    signer = _long_term_signer(revocation_server, pki)
    revocation_server_off(revocation_server)
    with pytest.raises(DomainError) as refused:
        pades.sign_pdf(
            sample_pdf,
            signer,
            level="B-LT",
            field_name="SigLT",
            tsa_url=tsa_server.url,
            validation_context=pades.trust_context(fetch=True),
        )
    assert refused.value.code in {"revocation", "signing_failed"}, refused.value.message


def revocation_server_off(server: Any) -> None:
    """Make every answer fail: the responder now knows none of the certificates."""
    server.certificates.clear()
    server.issuer = server.responder  # CRLs signed by the wrong key


def test_signing_b_lt_refused_without_revocation_source(
    signing_world: Any, sample_pdf: bytes, tsa_server: Any, pki: Any
) -> None:
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = LoadedKeySigner(
        private_key=pki.person.key,
        signing_cert=asn1_x509.Certificate.load(pki.person.der),
        cert_registry=SimpleCertificateStore(),
    )
    with pytest.raises(DomainError) as refused:
        pades.sign_pdf(
            sample_pdf,
            signer,
            level="B-LT",
            field_name="SigLT",
            tsa_url=tsa_server.url,
            validation_context=pades.trust_context(fetch=True),
        )
    assert refused.value.code == "no_revocation_source"


def test_signing_works_inside_a_running_event_loop(sample_pdf: bytes, pki: Any) -> None:
    """An async view (or any thread running a loop) can sign: pyHanko's own asyncio.run is moved
    off the loop instead of failing."""
    import asyncio

    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from chinhquyen.signing.pades import sign_pdf

    signer = LoadedKeySigner(
        private_key=pki.person.key,
        signing_cert=asn1_x509.Certificate.load(pki.person.der),
        cert_registry=SimpleCertificateStore.from_certs([]),
    )

    async def inside_loop() -> bytes:
        return sign_pdf(sample_pdf, signer, level="B-B", field_name="Sig1")

    assert asyncio.run(inside_loop()).startswith(b"%PDF")
