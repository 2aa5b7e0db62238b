"""Admin for units, agencies, accounts and roles. Changes go through the `do_*` actions so the
tree path, the code history and the audit log stay right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import DomainError
from chinhquyen.org.actions import (
    check_identifier_code,
    do_change_agency_code,
    do_create_agency,
    do_grant_role,
    do_revoke_role,
    do_update_agency,
)
from chinhquyen.org.models import AdministrativeUnit, Agency, AgencyCode, RoleAssignment, User


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "division_type", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "division_type")
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)


class AgencyCodeInline(admin.TabularInline):
    model = AgencyCode
    extra = 0
    can_delete = False
    readonly_fields = ("code", "valid_from", "valid_to", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgencyAdminForm(forms.ModelForm):
    """Checks what the actions would refuse, so the admin shows a form error, not a 500."""

    class Meta:
        model = Agency
        fields = [
            "identifier_code",
            "name",
            "short_name",
            "abbreviation",
            "kind",
            "parent",
            "administrative_unit",
        ]

    def clean_identifier_code(self) -> str:
        try:
            code = check_identifier_code(self.cleaned_data.get("identifier_code") or "")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        unchanged = self.instance.pk and self.instance.identifier_code == code
        if not unchanged and AgencyCode.objects.filter(code=code).exists():
            raise forms.ValidationError("Mã định danh này đã được cấp (kể cả mã đã đóng).")
        return code

    def clean_parent(self) -> Agency | None:
        parent = self.cleaned_data.get("parent")
        if parent is not None and not parent.is_active:
            raise forms.ValidationError("Cơ quan cấp trên đã ngừng hoạt động.")
        return parent


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ("name", "identifier_code", "abbreviation", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "identifier_code", "abbreviation")
    raw_id_fields = ("parent", "administrative_unit")
    inlines = [AgencyCodeInline]

    def save_model(self, request: HttpRequest, obj: Agency, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = do_create_agency(
                acting_user=request.user,
                identifier_code=data["identifier_code"],
                name=data["name"],
                short_name=data.get("short_name", ""),
                abbreviation=data["abbreviation"],
                kind=data["kind"],
                parent=data.get("parent"),
                administrative_unit=data.get("administrative_unit"),
            )
            obj.pk, obj.path = created.pk, created.path
            return
        original = Agency.objects.get(pk=obj.pk)
        if original.identifier_code != data["identifier_code"]:
            do_change_agency_code(original, data["identifier_code"], acting_user=request.user)
        do_update_agency(
            original,
            acting_user=request.user,
            name=data["name"],
            short_name=data.get("short_name", ""),
            abbreviation=data["abbreviation"],
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Moving an agency in the tree is not offered here: it would re-scope every permission.
        return ("parent", "is_active", "closed_at") if obj else ("is_active", "closed_at")


@admin.register(User)
class ChinhquyenUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "kind", "is_active", "locked_until", "last_login")
    list_filter = ("kind", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email", "phone")
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        ("Thông tin", {"fields": ("full_name", "email", "phone", "position")}),
        ("Trạng thái", {"fields": ("is_active", "locked_until", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "kind", "full_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    # Every admin change of an account, the password form included, goes through these hooks.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        record_audit("user.admin_create", actor=request.user, obj=obj, after={"log": message})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        record_audit("user.admin_change", actor=request.user, obj=obj, after={"log": message})
        return super().log_change(request, obj, message)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "granted_at", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "agency__name")
    raw_id_fields = ("user", "agency")

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: ModelForm, change: bool
    ) -> None:
        saved = do_grant_role(obj.user, obj.agency, obj.role, acting_user=request.user)
        obj.pk = saved.pk

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj else super().has_change_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        do_revoke_role(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "agency"):
            do_revoke_role(assignment, acting_user=request.user)
