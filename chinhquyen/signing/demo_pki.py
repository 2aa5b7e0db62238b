"""A small certificate authority for the demo province and the tests: a root (standing in for the
national root), a government CA, and leaf certificates for people, agencies, a time-stamping
authority and an OCSP responder; CRLs and OCSP responses in the real formats.

Never used for production trust: the demo command refuses to run when DEBUG is off."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class IssuedKey:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def serial(self) -> int:
        return self.certificate.serial_number

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class RevocationUrls:
    crl_url: str | None = None
    ocsp_url: str | None = None
    ca_issuers_url: str | None = None


def new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


# RFC 5280 Appendix A: ub-common-name and ub-organization-name are 64 characters. Official
# agency names are often longer ("Trung tâm Phục vụ hành chính công tỉnh ..."), so they are
# clipped here, as a CA would shorten them; the full name stays in the registry.
UB_NAME = 64


def _clip(value: str) -> str:
    """Shorten to the bound as the `cryptography` library measures it (UTF-8 bytes)."""
    if len(value.encode()) <= UB_NAME:
        return value
    while len((value + "…").encode()) > UB_NAME:
        value = value[:-1]
    return value.rstrip() + "…"


def _name(common_name: str, organisation: str = "", country: str = "VN") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _clip(organisation)))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, _clip(common_name)))
    return x509.Name(parts)


def _now() -> datetime:
    return datetime.now(tz=UTC).replace(microsecond=0)


def _builder(
    subject: x509.Name,
    issuer: IssuedKey | None,
    key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    issuer_name = issuer.certificate.subject if issuer else subject
    issuer_public = issuer.key.public_key() if issuer else key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False
        )
    )
    return builder


def _with_revocation(
    builder: x509.CertificateBuilder, urls: RevocationUrls
) -> x509.CertificateBuilder:
    if urls.crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(urls.crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    access = []
    if urls.ocsp_url:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(urls.ocsp_url)
            )
        )
    if urls.ca_issuers_url:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(urls.ca_issuers_url),
            )
        )
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    return builder


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _signing_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # non-repudiation: a signature on a document
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def make_root(common_name: str, *, organisation: str = "", years: int = 20) -> IssuedKey:
    key = new_key()
    start = _now() - timedelta(days=1)
    builder = _builder(
        _name(common_name, organisation), None, key, start, start + timedelta(days=365 * years)
    )
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    builder = builder.add_extension(_ca_usage(), critical=True)
    return IssuedKey(builder.sign(key, hashes.SHA256()), key)


def make_intermediate(
    issuer: IssuedKey,
    common_name: str,
    *,
    organisation: str = "",
    urls: RevocationUrls = RevocationUrls(),
    years: int = 10,
) -> IssuedKey:
    key = new_key()
    start = _now() - timedelta(days=1)
    builder = _builder(
        _name(common_name, organisation), issuer, key, start, start + timedelta(days=365 * years)
    )
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = builder.add_extension(_ca_usage(), critical=True)
    builder = _with_revocation(builder, urls)
    return IssuedKey(builder.sign(issuer.key, hashes.SHA256()), key)


def issue_signing_certificate(
    issuer: IssuedKey,
    common_name: str,
    *,
    organisation: str = "",
    urls: RevocationUrls = RevocationUrls(),
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> IssuedKey:
    """A document-signing certificate (digitalSignature + nonRepudiation) for a person or agency."""
    key = key or new_key()
    start = not_before or (_now() - timedelta(days=1))
    end = not_after or (start + timedelta(days=3 * 365))
    builder = _builder(_name(common_name, organisation), issuer, key, start, end)
    builder = builder.add_extension(
        x509.BasicConstraints(ca=False, path_length=None), critical=True
    )
    builder = builder.add_extension(_signing_usage(), critical=True)
    builder = _with_revocation(builder, urls)
    return IssuedKey(builder.sign(issuer.key, hashes.SHA256()), key)


def _service_certificate(
    issuer: IssuedKey, common_name: str, usage: x509.ObjectIdentifier, *, extra_nocheck: bool
) -> IssuedKey:
    key = new_key()
    start = _now() - timedelta(days=1)
    builder = _builder(_name(common_name), issuer, key, start, start + timedelta(days=5 * 365))
    builder = builder.add_extension(
        x509.BasicConstraints(ca=False, path_length=None), critical=True
    )
    builder = builder.add_extension(_signing_usage(), critical=True)
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
    if extra_nocheck:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    return IssuedKey(builder.sign(issuer.key, hashes.SHA256()), key)


def issue_tsa_certificate(issuer: IssuedKey, common_name: str = "Demo TSA") -> IssuedKey:
    """RFC 3161 §2.3: the TSA certificate has only the critical timeStamping EKU."""
    return _service_certificate(
        issuer, common_name, ExtendedKeyUsageOID.TIME_STAMPING, extra_nocheck=False
    )


def issue_ocsp_responder(issuer: IssuedKey, common_name: str = "Demo OCSP") -> IssuedKey:
    """RFC 6960 §4.2.2.2: a delegated responder has id-kp-OCSPSigning; ocsp-nocheck spares the
    client a revocation check of the responder itself."""
    return _service_certificate(
        issuer, common_name, ExtendedKeyUsageOID.OCSP_SIGNING, extra_nocheck=True
    )


def build_crl(
    issuer: IssuedKey,
    revoked: Iterable[tuple[int, datetime]],
    *,
    number: int = 1,
    validity: timedelta = timedelta(days=7),
) -> x509.CertificateRevocationList:
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - timedelta(minutes=1))
        .next_update(now + validity)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    for serial, revoked_at in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer.key, hashes.SHA256())


RevokedLookup = Callable[[int], datetime | None]


def build_ocsp_response(
    request_der: bytes,
    issuer: IssuedKey,
    responder: IssuedKey,
    known_serials: Callable[[int], x509.Certificate | None],
    revoked_at: RevokedLookup,
    *,
    validity: timedelta = timedelta(hours=12),
) -> bytes:
    """Answer one OCSP request (RFC 6960) for certificates of `issuer`."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.MALFORMED_REQUEST
        ).public_bytes(serialization.Encoding.DER)
    certificate = known_serials(request.serial_number)
    issuer_key_hash = hashlib.sha1(  # noqa: S324 - the OCSP CertID hash (RFC 6960 §4.1.1)
        issuer.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
    ).digest()
    if certificate is None or request.issuer_key_hash != issuer_key_hash:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.UNAUTHORIZED
        ).public_bytes(serialization.Encoding.DER)
    now = _now()
    when = revoked_at(request.serial_number)
    status = ocsp.OCSPCertStatus.REVOKED if when else ocsp.OCSPCertStatus.GOOD
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=certificate,
        issuer=issuer.certificate,
        algorithm=hashes.SHA1(),  # noqa: S303 - must match the request's CertID algorithm
        cert_status=status,
        this_update=now - timedelta(minutes=1),
        next_update=now + validity,
        revocation_time=when,
        revocation_reason=x509.ReasonFlags.key_compromise if when else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.certificate)
    builder = builder.certificates([responder.certificate])
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    response = builder.sign(responder.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)
