"""Reading X.509 certificates into the fields the registry stores."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from chinhquyen.core.errors import DomainError


@dataclass(frozen=True)
class CertificateFacts:
    der: bytes
    fingerprint_sha256: str
    subject: str
    common_name: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    is_ca: bool


def load_certificate(data: bytes) -> x509.Certificate:
    """DER or PEM; a clear message otherwise."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise DomainError(
            "Tệp không phải chứng thư số X.509 hợp lệ.", code="bad_certificate"
        ) from None


def certificate_facts(certificate: x509.Certificate) -> CertificateFacts:
    from cryptography.hazmat.primitives.serialization import Encoding

    der = certificate.public_bytes(Encoding.DER)
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    try:
        basic = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = basic.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateFacts(
        der=der,
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        subject=certificate.subject.rfc4514_string()[:500],
        common_name=str(names[0].value)[:300] if names else certificate.subject.rfc4514_string(),
        serial_hex=format(certificate.serial_number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        is_ca=is_ca,
    )
