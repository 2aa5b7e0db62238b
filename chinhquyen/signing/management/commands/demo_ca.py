"""`manage.py demo_ca`: a demo certificate authority for the demo province (DEBUG only).

Creates (once) a demo root and a demo "government CA", trusted as `TrustAnchor` rows; issues a
personal certificate (software key, encrypted at rest) with a blue signature image to every demo
leader, and an organisation certificate with a red seal image to the provincial People's
Committee and each of its departments. Running it again only fills what is missing."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chinhquyen.core.demo.guard import check_demo_allowed
from chinhquyen.core.demo.personas import PERSONAS, PROVINCE_PC
from chinhquyen.org.models import Agency, Role, User
from chinhquyen.signing import demo_pki, images
from chinhquyen.signing.actions import do_import_pkcs12
from chinhquyen.signing.demo_authority import demo_authority, demo_revocation_urls
from chinhquyen.signing.demo_pki import IssuedKey
from chinhquyen.signing.models import SignatureImage, SigningCertificate

LEADER_ROLES = (Role.AGENCY_LEADER, Role.UNIT_LEADER)


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
            leaf = demo_pki.issue_signing_certificate(
                ca, user.full_name, organisation="Demo", urls=demo_revocation_urls()
            )
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
            leaf = demo_pki.issue_signing_certificate(
                ca, agency.name, organisation=agency.name, urls=demo_revocation_urls()
            )
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
