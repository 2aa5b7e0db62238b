"""Trust anchors, signing certificates with where their keys live, signature images, the
revocation cache and the documents the province issued (checked through the QR code)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TrustAnchor(models.Model):
    """A trusted root or intermediate (e.g. the national root NEAC and the government CA VGCA).
    Configured as data, never hard-coded (ISSUE 4 §2)."""

    class Kind(models.TextChoices):
        ROOT = "root", _("Chứng thư gốc")
        INTERMEDIATE = "intermediate", _("Chứng thư trung gian")

    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    fingerprint_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    subject = models.CharField(_("chủ thể"), max_length=500, editable=False)
    not_after = models.DateTimeField(_("hết hạn"), editable=False)
    enabled = models.BooleanField(_("đang tin cậy"), default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư tin cậy")
        verbose_name_plural = _("chứng thư tin cậy")

    def __str__(self) -> str:
        return self.name


class SigningCertificate(models.Model):
    """A certificate someone signs with, and where its private key is."""

    class KeyStore(models.TextChoices):
        SOFTWARE = "software", _("Khóa lưu trên hệ thống (mã hóa)")
        PKCS11 = "pkcs11", _("USB token / HSM (PKCS#11)")
        REMOTE = "remote", _("Ký số từ xa")

    class Purpose(models.TextChoices):
        PERSONAL = "personal", _("Chữ ký cá nhân")
        ORGANISATION = "organisation", _("Chữ ký cơ quan (con dấu)")

    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    owner_agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    label = models.CharField(_("nhãn"), max_length=200)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    chain_der = models.JSONField(_("chuỗi chứng thư (base64 DER)"), default=list, blank=True)
    fingerprint_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    subject_common_name = models.CharField(_("tên chủ thể"), max_length=300, editable=False)
    serial_hex = models.CharField(_("số hiệu"), max_length=80, editable=False)
    not_before = models.DateTimeField(_("hiệu lực từ"), editable=False)
    not_after = models.DateTimeField(_("hết hạn"), editable=False)
    key_store = models.CharField(_("nơi giữ khóa"), max_length=20, choices=KeyStore.choices)
    encrypted_private_key = models.BinaryField(null=True, blank=True, editable=False)
    pkcs11_token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    pkcs11_key_label = models.CharField(_("nhãn khóa trên token"), max_length=100, blank=True)
    remote_credential_id = models.CharField(_("mã chứng thư ký từ xa"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(purpose="personal", owner_user__isnull=False, owner_agency__isnull=True)
                    | Q(purpose="organisation", owner_agency__isnull=False, owner_user__isnull=True)
                ),
                name="signingcert_owner_matches_purpose",
            ),
            models.CheckConstraint(
                condition=~Q(key_store="software") | Q(encrypted_private_key__isnull=False),
                name="signingcert_software_has_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.subject_common_name})"


class SignatureImage(models.Model):
    """Decree 30/2020 App. I: the person's signature (blue, transparent PNG) or the agency's seal
    (red, transparent PNG, printed at its actual size)."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("Hình chữ ký (màu xanh)")
        SEAL = "seal", _("Hình con dấu (màu đỏ)")

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    owner_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signature_image",
    )
    owner_agency = models.OneToOneField(
        "org.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="seal_image"
    )
    png = models.BinaryField(_("ảnh PNG"))
    width_mm = models.DecimalField(_("rộng (mm)"), max_digits=6, decimal_places=2)
    height_mm = models.DecimalField(_("cao (mm)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("hình chữ ký, con dấu")
        verbose_name_plural = _("hình chữ ký, con dấu")

    def __str__(self) -> str:
        return self.get_kind_display()


class RevocationCheck(models.Model):
    """The cached answer of a CRL or OCSP check, kept until the source's next update."""

    class Status(models.TextChoices):
        GOOD = "good", _("Còn hiệu lực")
        REVOKED = "revoked", _("Đã bị thu hồi")
        UNKNOWN = "unknown", _("Không kiểm tra được")

    fingerprint_sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=10)  # "ocsp" or "crl"
    status = models.CharField(max_length=10, choices=Status.choices)
    revoked_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField()
    valid_until = models.DateTimeField(db_index=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("kết quả kiểm tra thu hồi")
        verbose_name_plural = _("kết quả kiểm tra thu hồi")

    def __str__(self) -> str:
        return f"{self.fingerprint_sha256[:12]} {self.status}"


def _new_token() -> str:
    return secrets.token_urlsafe(18)


class IssuedDocument(models.Model):
    """A signed PDF the province issued; the QR code on it leads to its public check page."""

    token = models.CharField(max_length=40, unique=True, default=_new_token, editable=False)
    title = models.CharField(_("trích yếu"), max_length=500)
    issuing_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="issued_documents"
    )
    file = models.FileField(_("tệp"), upload_to="signing/issued/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản đã phát hành")
        verbose_name_plural = _("văn bản đã phát hành")

    def __str__(self) -> str:
        return self.title
