"""Admin for the yearly schedules and office hours. An active version is read-only: to change a
year, copy it to a draft, edit the draft, then activate it (the old version is kept)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chinhquyen.core.errors import DomainError
from chinhquyen.workdays.actions import (
    check_office_hours,
    do_activate_schedule,
    do_copy_schedule,
    do_deactivate_schedule,
    do_record_schedule_edit,
    do_set_office_hours,
)
from chinhquyen.workdays.models import HolidaySchedule, OfficeHours, ScheduleDay
from chinhquyen.workdays.queries import next_version
from chinhquyen.workdays.schedule_files import check_day


class ScheduleDayFormSet(forms.BaseInlineFormSet):
    """The same checks as an imported file: the year, a Saturday for làm bù, no day off on a
    weekend, each date once."""

    def clean(self) -> None:
        super().clean()
        year = self.instance.year
        seen: set[Any] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if year is None or not data or data.get("DELETE") or not data.get("date"):
                continue
            day = data["date"]
            for problem in check_day(day, data.get("kind", ""), year):
                form.add_error("date", problem)
            if day in seen:
                form.add_error("date", _("Ngày này đã có trong lịch."))
            seen.add(day)


class ScheduleDayInline(admin.TabularInline):
    model = ScheduleDay
    formset = ScheduleDayFormSet
    extra = 0
    fields = ("date", "kind", "name")

    def _editable(self, obj: HolidaySchedule | None) -> bool:
        return obj is None or not obj.is_active

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "version",
        "is_active",
        "source",
        "origin",
        "imported_at",
        "imported_by",
    )
    list_filter = ("year", "is_active", "origin")
    readonly_fields = ("version", "is_active", "origin", "imported_at", "imported_by")
    fields = ("year", "source", "note", *readonly_fields)
    inlines = [ScheduleDayInline]
    actions = ["activate", "deactivate", "copy_as_draft"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None:
            return (*self.readonly_fields, "year")
        return self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: HolidaySchedule, form: Any, change: bool
    ) -> None:
        if not change:
            obj.version = next_version(obj.year)
            obj.origin = HolidaySchedule.Origin.ADMIN
            obj.imported_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        do_record_schedule_edit(form.instance, acting_user=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are history

    @admin.action(description=_("Áp dụng phiên bản đã chọn"))
    def activate(self, request: HttpRequest, queryset: QuerySet[HolidaySchedule]) -> None:
        if queryset.values("year").distinct().count() != queryset.count():
            self.message_user(request, _("Mỗi năm chỉ chọn một phiên bản."), messages.ERROR)
            return
        for schedule in queryset:
            do_activate_schedule(schedule, acting_user=request.user)
        self.message_user(request, _("Đã áp dụng."))

    @admin.action(description=_("Ngừng áp dụng (dùng quy định chung)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[HolidaySchedule]) -> None:
        for schedule in queryset.filter(is_active=True):
            do_deactivate_schedule(schedule, acting_user=request.user)
        self.message_user(request, _("Đã ngừng áp dụng."))

    @admin.action(description=_("Sao chép thành bản nháp mới"))
    def copy_as_draft(self, request: HttpRequest, queryset: QuerySet[HolidaySchedule]) -> None:
        for schedule in queryset:
            do_copy_schedule(schedule, acting_user=request.user)
        self.message_user(request, _("Đã tạo bản nháp; sửa rồi áp dụng."))


class OfficeHoursForm(forms.ModelForm):
    class Meta:
        model = OfficeHours
        fields = (
            "agency",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "cutoff",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keys = ("morning_start", "morning_end", "afternoon_start", "afternoon_end", "cutoff")
        if all(data.get(key) for key in keys):
            try:
                check_office_hours(*(data[key] for key in keys))
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    form = OfficeHoursForm
    list_display = ("__str__", "cutoff", "updated_at")
    raw_id_fields = ("agency",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("agency",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: OfficeHours, form: Any, change: bool) -> None:
        saved = do_set_office_hours(
            acting_user=request.user,
            agency=obj.agency,
            morning_start=obj.morning_start,
            morning_end=obj.morning_end,
            afternoon_start=obj.afternoon_start,
            afternoon_end=obj.afternoon_end,
            cutoff=obj.cutoff,
        )
        obj.pk = saved.pk
