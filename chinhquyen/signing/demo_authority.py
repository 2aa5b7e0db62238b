"""The demo certificate authority: its keys (encrypted, beside var/media), and the CRL it
publishes at /demo-ca/chinhquyen-demo.crl so the demo's signatures can be checked end to end.

DEBUG only: the view answers 404 otherwise, and `demo_ca` refuses to run."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.urls import reverse

from chinhquyen.audit.models import AuditEvent
from chinhquyen.signing import demo_pki, keys
from chinhquyen.signing.demo_pki import IssuedKey
from chinhquyen.signing.models import SigningCertificate, TrustAnchor

ROOT_NAME = "Demo Root CA (chinhquyen, không dùng thật)"
CA_NAME = "Demo Government CA (chinhquyen, không dùng thật)"


def _key_file(name: str) -> Path:
    # Beside var/media: git-ignored, and encrypted like every key the platform stores.
    return Path(settings.MEDIA_ROOT).parent / "demo-ca" / f"{name}.key.enc"


def _anchor(issued: IssuedKey, name: str, kind: str) -> None:
    TrustAnchor.objects.get_or_create(
        fingerprint_sha256=hashlib.sha256(issued.der).hexdigest(),
        defaults={
            "name": name,
            "kind": kind,
            "certificate_der": issued.der,
            "subject": issued.certificate.subject.rfc4514_string()[:500],
            "not_after": issued.certificate.not_valid_after_utc,
        },
    )


def _stored(name: str) -> IssuedKey | None:
    row = TrustAnchor.objects.filter(name=name).order_by("-added_at").first()
    path = _key_file(row.fingerprint_sha256 if row else "missing")
    if row is None or not path.is_file():
        return None
    key = keys.decrypt_private_key(path.read_bytes())
    certificate = x509.load_der_x509_certificate(bytes(row.certificate_der))
    return IssuedKey(certificate, key)  # type: ignore[arg-type]


def _save(issued: IssuedKey, name: str, kind: str) -> None:
    _anchor(issued, name, kind)
    path = _key_file(hashlib.sha256(issued.der).hexdigest())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(keys.encrypt_private_key(issued.key))


def demo_authority() -> tuple[IssuedKey, bool]:
    """The demo government CA, made on the first run (True) and reused afterwards."""
    ca = _stored(CA_NAME)
    if ca is not None:
        return ca, False
    root = demo_pki.make_root(ROOT_NAME, organisation="chinhquyen demo")
    ca = demo_pki.make_intermediate(root, CA_NAME, organisation="chinhquyen demo")
    _save(root, ROOT_NAME, TrustAnchor.Kind.ROOT)
    _save(ca, CA_NAME, TrustAnchor.Kind.INTERMEDIATE)
    return ca, True


def demo_revocation_urls() -> demo_pki.RevocationUrls:
    """Where the demo certificates say their CRL is: this very site."""
    return demo_pki.RevocationUrls(
        crl_url=settings.SITE_URL.rstrip("/") + reverse("signing:demo_crl")
    )


def demo_crl_der() -> bytes | None:
    """The current CRL of the demo CA, listing the demo certificates deactivated since; None when
    there is no demo CA. Signed afresh on each call (one RSA operation)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    ca = _stored(CA_NAME)
    if ca is None:
        return None
    revoked = []
    issuer = ca.certificate.subject
    for row in SigningCertificate.objects.filter(is_active=False).only("certificate_der"):
        certificate = x509.load_der_x509_certificate(bytes(row.certificate_der))
        if certificate.issuer == issuer:
            revoked.append((certificate.serial_number, _deactivated_at(row, certificate)))
    return demo_pki.build_crl(ca, revoked).public_bytes(Encoding.DER)


def _deactivated_at(row: SigningCertificate, certificate: x509.Certificate) -> datetime:
    """When the certificate was withdrawn, from the audit log (signatures made before stay good);
    the start of its validity when the log has no such row (the safe side)."""
    event = (
        AuditEvent.objects.filter(
            action="signing.certificate_deactivate",
            object_type=SigningCertificate._meta.label_lower,
            object_id=str(row.pk),
        )
        .order_by("seq")
        .first()
    )
    return event.at if event else certificate.not_valid_before_utc
