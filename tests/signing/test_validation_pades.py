"""The validator on the app's own PAdES output (chinhquyen.signing.pades)."""

# ruff: noqa: F811 - pytest fixtures imported from tests.signing.servers
from __future__ import annotations

from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator.registry import SimpleCertificateStore

from chinhquyen.signing import pades
from chinhquyen.signing.signers import LoadedKeySigner
from chinhquyen.signing.trust import do_add_trust_anchor
from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import ChainStatus, Verdict
from tests.signing.servers import revocation_server, tsa_server  # noqa: F401 - fixtures


def test_b_lt_output_validates(
    db: None, pki: Any, sample_pdf: bytes, tsa_server: Any, revocation_server: Any
) -> None:
    do_add_trust_anchor(pki.root.der, name="Gốc", kind="root", acting_user=None)
    do_add_trust_anchor(pki.government_ca.der, name="CA", kind="intermediate", acting_user=None)
    issued = revocation_server.issue("Nguyen Van Dai Han")
    signer = LoadedKeySigner(
        private_key=issued.key,
        signing_cert=asn1_x509.Certificate.load(issued.der),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(pki.government_ca.der)]
        ),
    )
    signed = pades.sign_pdf(
        sample_pdf,
        signer,
        level="B-LT",
        field_name="SigLT",
        tsa_url=tsa_server.url,
        validation_context=pades.trust_context(fetch=True),
    )
    report = validate_pdf_bytes(signed, fetch=True)
    (signature,) = report.signatures
    assert signature.pades_level == "PAdES B-LT"
    assert signature.integrity.ok and signature.chain.status == ChainStatus.TRUSTED
    assert signature.timestamp.present
    assert report.verdict == Verdict.VALID, report.to_json()
