"""`manage.py demo_ca`: a demo certificate authority for the demo province (DEBUG only).

Creates (once) a demo root and a demo "government CA", trusted as `TrustAnchor` rows; issues a
personal certificate (software key, encrypted at rest) with a blue signature image to every demo
leader, and an organisation certificate with a red seal image to the provincial People's
Committee and each of its departments. Running it again only fills what is missing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chinhquyen.core.demo.guard import check_demo_allowed
from chinhquyen.core.demo.personas import PERSONAS, PROVINCE_PC
from chinhquyen.org.models import Agency, Role, User
from chinhquyen.signing import demo_pki, images, keys
from chinhquyen.signing.actions import do_import_pkcs12
from chinhquyen.signing.demo_pki import IssuedKey
from chinhquyen.signing.models import SignatureImage, SigningCertificate, TrustAnchor

ROOT_NAME = "Demo Root CA (chinhquyen, không dùng thật)"
CA_NAME = "Demo Government CA (chinhquyen, không dùng thật)"
LEADER_ROLES = (Role.AGENCY_LEADER, Role.UNIT_LEADER)


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


def _pkcs12(issued: IssuedKey, ca: IssuedKey) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"demo", issued.key, issued.certificate, [ca.certificate], serialization.NoEncryption()
    )


def _image_row(kind: str, picture: images.GeneratedImage, **owner: Any) -> None:
    SignatureImage.objects.update_or_create(
        **owner,
        defaults={
            "kind": kind,
            "png": picture.png,
            "width_mm": picture.width_mm,
            "height_mm": picture.height_mm,
        },
    )


class Command(BaseCommand):
    help = "Tạo CA mẫu và cấp chứng thư ký số cho lãnh đạo, cơ quan của tỉnh mẫu (chỉ khi DEBUG)."

    def handle(self, *args: Any, **options: Any) -> None:
        check_demo_allowed()
        province = Agency.objects.filter(identifier_code=PROVINCE_PC).first()
        if province is None:
            raise CommandError("Chưa nạp tỉnh mẫu: chạy `manage.py load_demo` trước.")
        with transaction.atomic():
            ca, created = demo_authority()
            people = self._leaders(ca)
            agencies = self._agencies(ca, province)
        self.stdout.write(
            f"CA mẫu: {'mới tạo' if created else 'đã có'}; "
            f"chứng thư cá nhân mới: {people}; chứng thư cơ quan mới: {agencies}."
        )

    def _leaders(self, ca: IssuedKey) -> int:
        issued = 0
        for persona in PERSONAS:
            if persona.role not in LEADER_ROLES:
                continue
            user = User.objects.filter(username=persona.username).first()
            if user is None:
                self.stderr.write(f"Không thấy tài khoản {persona.username}: bỏ qua.")
                continue
            _image_row("signature", images.signature_image(user.full_name), owner_user=user)
            if SigningCertificate.objects.filter(owner_user=user, is_active=True).exists():
                continue
            leaf = demo_pki.issue_signing_certificate(ca, user.full_name, organisation="Demo")
            do_import_pkcs12(
                _pkcs12(leaf, ca),
                "",
                purpose=SigningCertificate.Purpose.PERSONAL,
                owner_user=user,
                label=f"Chữ ký số mẫu — {user.full_name}",
                acting_user=None,
            )
            issued += 1
        return issued

    def _agencies(self, ca: IssuedKey, province: Agency) -> int:
        issued = 0
        departments = Agency.objects.filter(parent=province, kind=Agency.Kind.DEPARTMENT)
        for agency in [province, *departments]:
            _image_row("seal", images.seal_image(agency.name), owner_agency=agency)
            if SigningCertificate.objects.filter(owner_agency=agency, is_active=True).exists():
                continue
            leaf = demo_pki.issue_signing_certificate(ca, agency.name, organisation=agency.name)
            do_import_pkcs12(
                _pkcs12(leaf, ca),
                "",
                purpose=SigningCertificate.Purpose.ORGANISATION,
                owner_agency=agency,
                label=f"Con dấu số mẫu — {agency.short_name or agency.name}",
                acting_user=None,
            )
            issued += 1
        return issued
