"""Certificate paths from a signer to a configured trust anchor.

The path itself (who issued whom, signatures, CA flags, key usage) does not depend on time, so
it is cached by (certificate, the certificates the signature carried, trust-store version,
purpose). Validity periods are checked on every call against the moment that matters, so a
cached path can never make an expired certificate look valid."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from chinhquyen.signing.trust import TrustStore

MAX_PATH_LENGTH = 6
CACHE_SIZE = 4096

# Extensions this module enforces; any other critical one makes the path unusable (RFC 5280
# §4.2: a certificate with an unrecognised critical extension must be rejected).
_UNDERSTOOD = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
}


class Purpose(StrEnum):
    SIGNING = "signing"
    TIMESTAMPING = "timestamping"


@dataclass(frozen=True)
class Path:
    """`certificates` runs from the signer to the anchor (included) when `anchor_name` is set."""

    certificates: tuple[x509.Certificate, ...]
    anchor_name: str = ""
    problem: str = ""  # a rule the path breaks (not "no path")

    @property
    def trusted(self) -> bool:
        return bool(self.anchor_name) and not self.problem


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _extension(certificate: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        return None


def _critical_unknown(certificate: x509.Certificate) -> bool:
    try:
        extensions = certificate.extensions
    except ValueError:
        return True
    return any(e.critical and e.oid not in _UNDERSTOOD for e in extensions)


def _leaf_problem(leaf: x509.Certificate, purpose: Purpose) -> str:
    usage = _extension(leaf, x509.KeyUsage)
    if isinstance(usage, x509.KeyUsage) and not (
        usage.digital_signature or usage.content_commitment
    ):
        return "Chứng thư số không được phép dùng để ký (thiếu digitalSignature/nonRepudiation)."
    eku = _extension(leaf, x509.ExtendedKeyUsage)
    if purpose == Purpose.SIGNING:
        return _document_signer_problem(leaf, eku)
    if purpose == Purpose.TIMESTAMPING and not (
        isinstance(eku, x509.ExtendedKeyUsage) and ExtendedKeyUsageOID.TIME_STAMPING in eku
    ):
        return "Chứng thư của đơn vị cấp dấu thời gian thiếu mục đích timeStamping."
    return ""


# RFC 5280 §4.2.1.12: when extendedKeyUsage is present, the certificate is for those purposes
# only. These are the ones that mean "signing documents" (RFC 9336 documentSigning, e-mail/S-MIME,
# the Adobe and Microsoft document-signing OIDs, and anyExtendedKeyUsage).
DOCUMENT_SIGNING_EKUS = frozenset(
    {
        x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # id-kp-documentSigning (RFC 9336)
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        x509.ObjectIdentifier("1.2.840.113583.1.1.5"),  # Adobe Authentic Documents Trust
        x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),  # Microsoft document signing
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }
)


def _document_signer_problem(leaf: x509.Certificate, eku: object) -> str:
    basic = _extension(leaf, x509.BasicConstraints)
    if isinstance(basic, x509.BasicConstraints) and basic.ca:
        return "Chứng thư của tổ chức cấp chứng thư (CA) không được dùng để ký văn bản."
    if isinstance(eku, x509.ExtendedKeyUsage) and not DOCUMENT_SIGNING_EKUS & set(eku):
        return (
            "Chứng thư số chỉ dành cho mục đích khác (ví dụ máy chủ web, dấu thời gian, OCSP), "
            "không dùng để ký văn bản."
        )
    return ""


def _issuer_problem(issuer: x509.Certificate, below: int) -> str:
    basic = _extension(issuer, x509.BasicConstraints)
    if not isinstance(basic, x509.BasicConstraints) or not basic.ca:
        return "Một chứng thư trong chuỗi không phải của tổ chức cấp chứng thư (CA)."
    if basic.path_length is not None and below > basic.path_length:
        return "Chuỗi chứng thư dài hơn giới hạn pathLen của tổ chức cấp."
    usage = _extension(issuer, x509.KeyUsage)
    if isinstance(usage, x509.KeyUsage) and not usage.key_cert_sign:
        return "Một tổ chức cấp trong chuỗi không có quyền ký chứng thư (keyCertSign)."
    return ""


def _find_issuer(
    certificate: x509.Certificate, store: TrustStore, pool: Sequence[x509.Certificate]
) -> tuple[x509.Certificate, str] | None:
    """Prefer a configured anchor over a certificate the document brought along."""
    for anchor in store.issuers_named(certificate.issuer):
        if _issued_by(certificate, anchor.certificate):
            return anchor.certificate, anchor.name
    for candidate in pool:
        if candidate.subject == certificate.issuer and _issued_by(certificate, candidate):
            known = store.anchor_for(fingerprint(candidate))
            return candidate, known.name if known else ""
    return None


def _build(
    leaf: x509.Certificate, pool: Sequence[x509.Certificate], store: TrustStore, purpose: Purpose
) -> Path:
    problem = _leaf_problem(leaf, purpose)
    own = store.anchor_for(fingerprint(leaf))
    if own:
        return Path((leaf,), own.name, problem)
    path = [leaf]
    current = leaf
    for _ in range(MAX_PATH_LENGTH):
        if _critical_unknown(current):
            problem = problem or "Chứng thư có phần mở rộng bắt buộc (critical) không được hỗ trợ."
        found = _find_issuer(current, store, pool)
        if found is None:
            return Path(tuple(path))
        issuer, anchor_name = found
        if issuer in path:
            return Path(tuple(path))  # a loop
        problem = problem or _issuer_problem(issuer, below=len(path) - 1)
        path.append(issuer)
        if anchor_name:
            return Path(tuple(path), anchor_name, problem)
        current = issuer
    return Path(tuple(path))


_cache: OrderedDict[tuple[str, frozenset[str], str, str], Path] = OrderedDict()
_cache_lock = threading.Lock()


def find_path(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    store: TrustStore,
    purpose: Purpose = Purpose.SIGNING,
) -> Path:
    key = (fingerprint(leaf), frozenset(fingerprint(c) for c in pool), store.version, purpose)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    path = _build(leaf, pool, store, purpose)
    with _cache_lock:
        _cache[key] = path
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return path


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


@dataclass(frozen=True)
class PeriodProblem:
    expired: bool  # False: not yet valid
    subject: str
    bound: datetime


def outside_validity(path: Path, moment: datetime) -> PeriodProblem | None:
    for certificate in path.certificates:
        if moment > certificate.not_valid_after_utc:
            return PeriodProblem(
                True, certificate.subject.rfc4514_string(), certificate.not_valid_after_utc
            )
        if moment < certificate.not_valid_before_utc:
            return PeriodProblem(
                False, certificate.subject.rfc4514_string(), certificate.not_valid_before_utc
            )
    return None
