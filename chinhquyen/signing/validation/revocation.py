"""Is a certificate revoked? Answers come from the document itself (PAdES B-LT: the DSS and the
revocation values in the signature), from the cache, or from the certificate's own OCSP then CRL
URLs with short timeouts (TT 15/2025: check revocation by CRL/OCSP).

An answer is cached in `RevocationCheck` until the source's nextUpdate (a "good" answer at most a
day, an unreachable source five minutes) and in a small in-process LRU in front of it. A source
that cannot be reached is reported as UNKNOWN with the reason, never as good."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from chinhquyen.signing.models import RevocationCheck
from chinhquyen.signing.validation.chain import fingerprint
from chinhquyen.signing.validation.report import RevocationStatus

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
MAX_OCSP_BYTES = 256 * 1024
MAX_CRL_BYTES = 10 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)
GOOD_AT_MOST = timedelta(days=1)
WITHOUT_NEXT_UPDATE = timedelta(hours=1)
UNKNOWN_FOR = timedelta(minutes=5)
LRU_SIZE = 4096


@dataclass(frozen=True)
class Answer:
    status: RevocationStatus
    source: str
    checked_at: datetime
    valid_until: datetime
    revoked_at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True)
class EmbeddedData:
    """Revocation data the document carries (DER)."""

    ocsp_responses: Sequence[bytes] = ()
    crls: Sequence[bytes] = ()


# --- verifying a response ------------------------------------------------------------------


def _verify(
    key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm | None
) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _may_sign_ocsp(responder: x509.Certificate, issuer: x509.Certificate, now: datetime) -> bool:
    """RFC 6960 §4.2.2.2: the CA itself, or a responder it issued with id-kp-OCSPSigning."""
    if responder == issuer:
        return True
    try:
        responder.verify_directly_issued_by(issuer)
        eku = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    in_period = responder.not_valid_before_utc <= now <= responder.not_valid_after_utc
    return ExtendedKeyUsageOID.OCSP_SIGNING in eku and in_period


def _matches(
    single: ocsp.OCSPSingleResponse, cert: x509.Certificate, issuer: x509.Certificate
) -> bool:
    if single.serial_number != cert.serial_number:
        return False
    name = single.hash_algorithm.name
    issuer_asn1 = _asn1(issuer)
    hashes_by_name = {
        "sha1": (issuer_asn1.subject.sha1, issuer_asn1.public_key.sha1),
        "sha256": (issuer_asn1.subject.sha256, issuer_asn1.public_key.sha256),
    }
    if name not in hashes_by_name:
        return False
    name_hash, key_hash = hashes_by_name[name]
    return single.issuer_name_hash == name_hash and single.issuer_key_hash == key_hash


def read_ocsp(
    der: bytes, cert: x509.Certificate, issuer: x509.Certificate, now: datetime, source: str
) -> Answer | None:
    """A verified answer about `cert`, or None when the response says nothing usable."""
    try:
        response = ocsp.load_der_ocsp_response(der)
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            return None
        signers = [issuer, *response.certificates]
        if not any(
            _may_sign_ocsp(s, issuer, now)
            and _verify(
                s.public_key(),
                response.signature,
                response.tbs_response_bytes,
                response.signature_hash_algorithm,
            )
            for s in signers
        ):
            return None
        singles = [s for s in response.responses if _matches(s, cert, issuer)]
    except (ValueError, TypeError):
        return None
    for single in singles:
        answer = _single_answer(single, now, source)
        if answer is not None:
            return answer
    return None


def _single_answer(single: ocsp.OCSPSingleResponse, now: datetime, source: str) -> Answer | None:
    this_update = single.this_update_utc
    next_update = single.next_update_utc or (now + WITHOUT_NEXT_UPDATE)
    if this_update > now + CLOCK_SKEW:
        return None
    if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
        return Answer(
            RevocationStatus.REVOKED,
            source,
            this_update,
            max(next_update, now + WITHOUT_NEXT_UPDATE),
            revoked_at=single.revocation_time_utc,
        )
    if single.certificate_status == ocsp.OCSPCertStatus.GOOD:
        return Answer(RevocationStatus.GOOD, source, this_update, next_update)
    return None


def read_crl(
    der: bytes, cert: x509.Certificate, issuer: x509.Certificate, now: datetime, source: str
) -> Answer | None:
    try:
        if der.lstrip().startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(der)
        else:
            crl = x509.load_der_x509_crl(der)
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            return None
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    except (ValueError, TypeError):
        return None
    this_update = crl.last_update_utc
    next_update = crl.next_update_utc or (now + WITHOUT_NEXT_UPDATE)
    if this_update > now + CLOCK_SKEW:
        return None
    if entry is not None:
        return Answer(
            RevocationStatus.REVOKED,
            source,
            this_update,
            max(next_update, now + WITHOUT_NEXT_UPDATE),
            revoked_at=entry.revocation_date_utc,
        )
    return Answer(RevocationStatus.GOOD, source, this_update, next_update)


# --- fetching -----------------------------------------------------------------------------


class FetchError(Exception):
    pass


def _http(url: str, *, body: bytes | None, content_type: str, limit: int) -> bytes:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FetchError(f"địa chỉ không hỗ trợ ({url})")
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")  # noqa: S310 - scheme checked above
    if body:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310
            data: bytes = reply.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"không kết nối được tới {url} ({reason})") from None
    if len(data) > limit:
        raise FetchError(f"câu trả lời từ {url} quá lớn")
    return data


def _urls(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    ocsp_urls: list[str] = []
    crl_urls: list[str] = []
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ocsp_urls = [
            str(d.access_location.value)
            for d in access
            if d.access_method == AuthorityInformationAccessOID.OCSP
            and isinstance(d.access_location, x509.UniformResourceIdentifier)
        ]
    except (x509.ExtensionNotFound, ValueError):
        pass
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        crl_urls = [
            str(name.value)
            for point in points
            for name in point.full_name or []
            if isinstance(name, x509.UniformResourceIdentifier)
        ]
    except (x509.ExtensionNotFound, ValueError):
        pass
    return ocsp_urls, crl_urls


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303 - RFC 6960 CertID default
    return builder.build().public_bytes(serialization.Encoding.DER)


def fetch_online(cert: x509.Certificate, issuer: x509.Certificate, now: datetime) -> Answer:
    ocsp_urls, crl_urls = _urls(cert)
    if not ocsp_urls and not crl_urls:
        return _unknown(now, "chứng thư không ghi địa chỉ OCSP hay CRL nào")
    reasons: list[str] = []
    for url in ocsp_urls[:2]:
        try:
            der = _http(
                url,
                body=_ocsp_request(cert, issuer),
                content_type="application/ocsp-request",
                limit=MAX_OCSP_BYTES,
            )
        except FetchError as exc:
            reasons.append(f"OCSP: {exc}")
            continue
        answer = read_ocsp(der, cert, issuer, now, "ocsp")
        if _usable_online(answer, now):
            return answer  # type: ignore[return-value]
        reasons.append(f"OCSP: câu trả lời từ {url} không dùng được (sai chữ ký hoặc đã cũ)")
    for url in crl_urls[:2]:
        try:
            der = _http(url, body=None, content_type="", limit=MAX_CRL_BYTES)
        except FetchError as exc:
            reasons.append(f"CRL: {exc}")
            continue
        answer = read_crl(der, cert, issuer, now, "crl")
        if _usable_online(answer, now):
            return answer  # type: ignore[return-value]
        reasons.append(f"CRL: danh sách từ {url} không dùng được (sai chữ ký hoặc đã cũ)")
    return _unknown(now, "; ".join(reasons))


def _usable_online(answer: Answer | None, now: datetime) -> bool:
    """An answer fetched now must be current: a "good" CRL or OCSP response past its next update
    could be an old one replayed by someone on the network path (both travel over plain HTTP).
    A "revoked" answer stays true however old it is."""
    if answer is None:
        return False
    if answer.status == RevocationStatus.GOOD:
        return answer.valid_until + CLOCK_SKEW >= now
    return True


def _unknown(now: datetime, detail: str) -> Answer:
    return Answer(RevocationStatus.UNKNOWN, "", now, now + UNKNOWN_FOR, detail=detail[:500])


# --- the cache ----------------------------------------------------------------------------

_lru: OrderedDict[str, Answer] = OrderedDict()
_lru_lock = threading.Lock()


def clear_cache() -> None:
    with _lru_lock:
        _lru.clear()


def _remember(key: str, answer: Answer) -> None:
    with _lru_lock:
        _lru[key] = answer
        _lru.move_to_end(key)
        while len(_lru) > LRU_SIZE:
            _lru.popitem(last=False)


def _cached(key: str, now: datetime) -> Answer | None:
    with _lru_lock:
        answer = _lru.get(key)
    if answer is not None and answer.valid_until > now:
        return answer
    row = (
        RevocationCheck.objects.filter(fingerprint_sha256=key, valid_until__gt=now)
        .order_by("-checked_at")
        .first()
    )
    if row is None:
        return None
    answer = Answer(
        RevocationStatus(row.status),
        row.source,
        row.checked_at,
        row.valid_until,
        revoked_at=row.revoked_at,
        detail=row.detail,
    )
    _remember(key, answer)
    return answer


def _store(key: str, answer: Answer, now: datetime) -> Answer:
    limit = UNKNOWN_FOR if answer.status == RevocationStatus.UNKNOWN else GOOD_AT_MOST
    if answer.status != RevocationStatus.REVOKED:
        answer = Answer(
            answer.status,
            answer.source,
            answer.checked_at,
            min(answer.valid_until, now + limit),
            answer.revoked_at,
            answer.detail,
        )
    RevocationCheck.objects.filter(fingerprint_sha256=key, valid_until__lte=now).delete()
    RevocationCheck.objects.create(
        fingerprint_sha256=key,
        source=answer.source,
        status=str(answer.status),
        revoked_at=answer.revoked_at,
        checked_at=answer.checked_at,
        valid_until=answer.valid_until,
        detail=answer.detail[:500],
    )
    _remember(key, answer)
    return answer


# --- the question -------------------------------------------------------------------------


def _from_document(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    embedded: EmbeddedData,
    moment: datetime,
    now: datetime,
) -> Answer | None:
    """A revocation in the document's data is final; a "good" counts only if it was issued at or
    after the moment that matters (it says nothing about later)."""
    answers = [read_ocsp(d, cert, issuer, now, "embedded_ocsp") for d in embedded.ocsp_responses]
    answers += [read_crl(d, cert, issuer, now, "embedded_crl") for d in embedded.crls]
    usable = [a for a in answers if a is not None]
    for answer in usable:
        if answer.status == RevocationStatus.REVOKED:
            return answer
    for answer in usable:
        if answer.status == RevocationStatus.GOOD and answer.checked_at >= moment:
            return Answer(answer.status, answer.source, answer.checked_at, now)
    return None


def revocation_of(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    moment: datetime,
    now: datetime,
    fetch: bool,
    embedded: EmbeddedData = EmbeddedData(),
) -> Answer:
    answer = _from_document(cert, issuer, embedded, moment, now)
    if answer is not None:
        return answer
    key = fingerprint(cert)
    answer = _cached(key, now)
    if answer is not None and (fetch or answer.status != RevocationStatus.UNKNOWN):
        return answer
    if not fetch:
        return _unknown(now, "chưa có kết quả kiểm tra và việc tra cứu trực tuyến đang tắt")
    return _store(key, fetch_online(cert, issuer, now), now)
