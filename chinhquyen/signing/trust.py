"""Trusted roots and intermediates. They are rows (`TrustAnchor`), added by an administrator or
`manage.py trust add`, never constants: the national root (NEAC) and the government CA (VGCA)
are configuration (ISSUE 4 §2).

`current_trust_store()` loads the enabled rows once per change: its `version` is a digest of the
enabled fingerprints, so every cached chain result keyed by it is dropped when the set changes."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from django.db import IntegrityError, transaction

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.signing.certs import certificate_facts, load_certificate
from chinhquyen.signing.models import TrustAnchor


@dataclass(frozen=True)
class Anchor:
    name: str
    kind: str
    certificate: x509.Certificate
    fingerprint_sha256: str


@dataclass(frozen=True)
class TrustStore:
    version: str
    anchors: dict[str, Anchor] = field(default_factory=dict)  # by fingerprint
    by_subject: dict[bytes, list[Anchor]] = field(default_factory=dict)  # DER subject

    def anchor_for(self, fingerprint: str) -> Anchor | None:
        return self.anchors.get(fingerprint)

    def issuers_named(self, name: x509.Name) -> list[Anchor]:
        return self.by_subject.get(name.public_bytes(), [])

    def validation_context(self, **kwargs: Any) -> Any:
        """A pyhanko-certvalidator `ValidationContext` trusting exactly these anchors (for
        signing with embedded validation data, B-LT)."""
        from asn1crypto import x509 as asn1_x509
        from pyhanko_certvalidator import ValidationContext

        roots = [asn1_x509.Certificate.load(_der(a.certificate)) for a in self.anchors.values()]
        return ValidationContext(trust_roots=roots, **kwargs)


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER)


def _version(rows: list[tuple[str, str]]) -> str:
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:16]


_lock = threading.Lock()
_loaded: dict[str, TrustStore] = {}


def current_trust_store() -> TrustStore:
    """One small query per call (which anchors are enabled); certificates are parsed only when
    that set changed."""
    rows = list(TrustAnchor.objects.filter(enabled=True).values_list("fingerprint_sha256", "kind"))
    version = _version(rows)
    store = _loaded.get(version)
    if store is None:
        store = _load(version)
        with _lock:
            _loaded.clear()
            _loaded[version] = store
    return store


def _load(version: str) -> TrustStore:
    anchors: dict[str, Anchor] = {}
    by_subject: dict[bytes, list[Anchor]] = {}
    for row in TrustAnchor.objects.filter(enabled=True).order_by("pk"):
        certificate = x509.load_der_x509_certificate(bytes(row.certificate_der))
        anchor = Anchor(row.name, row.kind, certificate, row.fingerprint_sha256)
        anchors[row.fingerprint_sha256] = anchor
        by_subject.setdefault(certificate.subject.public_bytes(), []).append(anchor)
    return TrustStore(version=version, anchors=anchors, by_subject=by_subject)


def check_anchor_certificate(certificate: x509.Certificate, kind: str, at: datetime) -> None:
    facts = certificate_facts(certificate)
    if kind not in TrustAnchor.Kind.values:
        raise DomainError("Loại chứng thư tin cậy phải là root hoặc intermediate.", field="kind")
    if not facts.is_ca:
        raise DomainError(
            "Chứng thư này không phải của tổ chức cấp chứng thư (thiếu CA=true).",
            code="not_a_ca",
        )
    if facts.not_after <= at:
        raise DomainError("Chứng thư này đã hết hạn.", code="anchor_expired")
    if kind == TrustAnchor.Kind.ROOT and certificate.issuer != certificate.subject:
        raise DomainError(
            "Chứng thư gốc phải tự ký (chủ thể trùng tổ chức cấp).", code="root_not_self_signed"
        )


def do_add_trust_anchor(
    der_or_pem: bytes, *, name: str, kind: str, acting_user: Any
) -> TrustAnchor:
    from django.utils import timezone

    certificate = load_certificate(der_or_pem)
    check_anchor_certificate(certificate, kind, timezone.now())
    facts = certificate_facts(certificate)
    name = name.strip()
    if not name:
        raise DomainError("Tên chứng thư tin cậy không được để trống.", field="name")
    try:
        with transaction.atomic():
            anchor = TrustAnchor.objects.create(
                name=name[:200],
                kind=kind,
                certificate_der=facts.der,
                fingerprint_sha256=facts.fingerprint_sha256,
                subject=facts.subject,
                not_after=facts.not_after,
            )
            record_audit(
                "signing.trust_anchor.add",
                actor=acting_user,
                obj=anchor,
                after={"kind": kind, "fingerprint_sha256": facts.fingerprint_sha256},
            )
    except IntegrityError:
        raise Conflict(
            "Chứng thư này đã có trong danh sách tin cậy.", code="anchor_exists"
        ) from None
    return anchor
