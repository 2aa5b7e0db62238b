"""Admin for the catalogue. A published version is read-only: a change is a new version (action
"Tạo phiên bản mới"), edited as a draft, then published (action "Công bố")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.errors import DomainError
from chinhquyen.procedures.actions import (
    check_version_data,
    do_create_version,
    do_publish_version,
    do_record_draft_edit,
    do_save_field,
)
from chinhquyen.procedures.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
)
from chinhquyen.workdays.calendar import DurationUnit


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        saved = do_save_field(code=obj.code, name=obj.name, acting_user=request.user)
        obj.pk = saved.pk


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("national_code", "created_at")
    search_fields = ("national_code",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("national_code",) if obj is not None else ()


class _DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj: ProcedureVersion | None) -> bool:
        return obj is None or obj.status == ProcedureVersion.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class RequiredDocumentInline(_DraftOnlyInline):
    model = RequiredDocument
    fields = ("order", "name", "originals", "copies", "required", "reusable", "template_name")


class FeeInline(_DraftOnlyInline):
    model = Fee
    fields = ("kind", "name", "amount", "rule", "note")


# The form's fields that hold each key of the exchange format, to place a problem beside them.
_FORM_FIELD = {"time_limit": "time_limit_value", "eform": "eform_schema"}
_SAME_NAME = (
    "name", "audiences", "online_level", "legacy_level", "implementing_level",
    "implementing_text", "result", "delivery_options", "steps_text", "conditions_text",
    "legal_basis", "process",
)  # fmt: skip


class ProcedureVersionForm(forms.ModelForm):
    time_limit_unit = forms.ChoiceField(label=_("đơn vị thời hạn"), choices=DurationUnit.choices)

    class Meta:
        model = ProcedureVersion
        fields = (
            "procedure", "version", "effective_from", "effective_to", "name", "field",
            "audiences", "online_level", "legacy_level", "implementing_level",
            "implementing_text", "agencies", "time_limit_value", "time_limit_unit",
            "time_limit_note", "result", "delivery_options", "steps_text", "conditions_text",
            "legal_basis", "eform_schema", "process",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        _, problems = check_version_data(self._as_exchange_data(data))
        for problem in problems:
            key = problem.path.split(".")[0].split("[")[0]
            name = _FORM_FIELD.get(key, key)
            self.add_error(name if name in self.fields else None, problem.message)
        return data

    @staticmethod
    def _as_exchange_data(data: dict[str, Any]) -> dict[str, Any]:
        ends = data.get("effective_to")
        return {
            "effective_from": data["effective_from"].isoformat(),
            "effective_to": ends.isoformat() if ends else None,
            **{key: data.get(key) for key in _SAME_NAME},
            "field": data["field"].code,
            "agencies": [agency.identifier_code for agency in data.get("agencies") or []],
            "time_limit": {
                "value": str(data["time_limit_value"]),
                "unit": data["time_limit_unit"],
                "note": data.get("time_limit_note", ""),
            },
            "eform": data.get("eform_schema"),
        }


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = ProcedureVersionForm
    list_display = (
        "name",
        "procedure",
        "version",
        "status",
        "online_level",
        "effective_from",
        "effective_to",
    )
    list_filter = ("field", "online_level", "status")
    search_fields = ("name", "procedure__national_code")
    list_select_related = ("procedure", "field")
    filter_horizontal = ("agencies",)
    inlines = [RequiredDocumentInline, FeeInline]
    actions = ["new_version", "publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("status",)
        return ("procedure", "version", "status")

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("version",) if obj is None else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != ProcedureVersion.Status.DRAFT:
            return False  # published: viewed, never edited
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are history; a dossier may point at any of them

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        if not change:
            top = obj.procedure.versions.order_by("-version").first()
            obj.version = top.version + 1 if top else 1
            obj.status = ProcedureVersion.Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        do_record_draft_edit(form.instance, acting_user=request.user)

    @admin.action(description=_("Tạo phiên bản mới"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        procedures = Procedure.objects.filter(versions__in=queryset).distinct()
        for procedure in procedures:
            try:
                version = do_create_version(procedure, acting_user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{procedure}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã tạo bản nháp %(v)s.") % {"v": version})

    @admin.action(description=_("Công bố"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset.filter(status=ProcedureVersion.Status.DRAFT):
            try:
                do_publish_version(version, acting_user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{version}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã công bố %(v)s.") % {"v": version})
