"""Admin for trust anchors, signing certificates, signature images, issued documents and the
revocation cache. Key material is never shown; changes that matter go through the `do_*`
actions (trust anchors: `manage.py trust add`; certificates: the import actions), so the admin
here reads and, for certificates, only deactivates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from chinhquyen.core.errors import DomainError
from chinhquyen.signing.actions import do_deactivate_certificate
from chinhquyen.signing.models import (
    IssuedDocument,
    RevocationCheck,
    SignatureImage,
    SigningCertificate,
    TrustAnchor,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrustAnchor)
class TrustAnchorAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "subject", "not_after", "enabled", "added_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "subject", "fingerprint_sha256")
    exclude = ("certificate_der",)


@admin.register(SigningCertificate)
class SigningCertificateAdmin(ReadOnlyAdmin):
    list_display = (
        "label",
        "subject_common_name",
        "purpose",
        "owner_user",
        "owner_agency",
        "key_store",
        "not_after",
        "is_active",
    )
    list_filter = ("purpose", "key_store", "is_active")
    search_fields = ("label", "subject_common_name", "fingerprint_sha256", "serial_hex")
    # Never the key, not even encrypted; the certificate itself is public but bulky.
    exclude = ("encrypted_private_key", "certificate_der", "chain_der")
    actions = ["deactivate"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # the deactivate action needs it

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in SigningCertificate._meta.fields if f.name not in self.exclude]

    @admin.action(description="Ngừng sử dụng các chứng thư đã chọn")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[SigningCertificate]) -> None:
        for certificate in queryset.filter(is_active=True):
            try:
                do_deactivate_certificate(certificate, acting_user=request.user)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, error.message, level=messages.ERROR)


@admin.register(SignatureImage)
class SignatureImageAdmin(ReadOnlyAdmin):
    list_display = ("kind", "owner_user", "owner_agency", "width_mm", "height_mm", "preview")
    list_filter = ("kind",)
    exclude = ("png",)
    readonly_fields = ("preview",)

    @admin.display(description="Ảnh")
    def preview(self, obj: SignatureImage) -> SafeString:
        import base64

        data = base64.b64encode(bytes(obj.png)).decode()
        return format_html('<img src="data:image/png;base64,{}" style="height:60px">', data)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "issuing_agency", "issued_at", "sha256", "size")
    search_fields = ("title", "sha256", "token")
    list_filter = ("issuing_agency",)


@admin.register(RevocationCheck)
class RevocationCheckAdmin(ReadOnlyAdmin):
    list_display = ("fingerprint_sha256", "source", "status", "checked_at", "valid_until")
    list_filter = ("source", "status")
    search_fields = ("fingerprint_sha256",)
