"""The yearly holiday schedule (versioned) and office hours per agency."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolidaySchedule(models.Model):
    """One version of the civil-service calendar of a year, as set by the yearly notice.

    Labour Code 2019 Art. 112(3): Tết and the day adjacent to 2/9 are fixed each year, so the year
    is data. Versions are kept; at most one is active per year. A year with no active version
    falls back to the statutory rules (`chinhquyen.workdays.statutory`)."""

    class Origin(models.TextChoices):
        SHIPPED = "shipped", _("Kèm theo phần mềm")
        IMPORTED = "imported", _("Nhập từ tệp")
        ADMIN = "admin", _("Nhập trên trang quản trị")

    year = models.PositiveSmallIntegerField(_("năm"))
    version = models.PositiveIntegerField(_("phiên bản"), editable=False)
    source = models.CharField(
        _("căn cứ"), max_length=300, help_text=_("Số, ngày của thông báo hoặc văn bản.")
    )
    note = models.TextField(_("ghi chú"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=False, editable=False)
    origin = models.CharField(
        _("nguồn nhập"), max_length=10, choices=Origin.choices, default=Origin.ADMIN, editable=False
    )
    content_hash = models.CharField(max_length=64, editable=False, default="")
    imported_at = models.DateTimeField(_("nhập lúc"), default=timezone.now, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lịch nghỉ lễ, tết năm")
        verbose_name_plural = _("lịch nghỉ lễ, tết các năm")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="workdays_schedule_version"),
            models.UniqueConstraint(
                fields=["year"], condition=Q(is_active=True), name="workdays_one_active_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} (phiên bản {self.version})"


class ScheduleDay(models.Model):
    """A weekday off (holiday, Tết, nghỉ bù) or a Saturday worked (làm bù) in one schedule."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_SATURDAY = "working_saturday", _("Thứ Bảy làm bù")

    schedule = models.ForeignKey(
        HolidaySchedule, verbose_name=_("lịch năm"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("tên ngày"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ngày trong lịch")
        verbose_name_plural = _("các ngày trong lịch")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date"], name="workdays_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class OfficeHours(models.Model):
    """Office hours of an agency (and its subtree); the row without an agency is the default.

    The civil-service week is Monday–Friday (QĐ 188/1999/QĐ-TTg); the cut-off is Decree 61/2018
    Art. 18: paper dossiers received after it are transferred the next working day."""

    agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("cơ quan, đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="office_hours",
        help_text=_("Để trống: giờ làm việc mặc định cho mọi cơ quan."),
    )
    morning_start = models.TimeField(_("sáng bắt đầu"), default=time(7, 30))
    morning_end = models.TimeField(_("sáng kết thúc"), default=time(11, 30))
    afternoon_start = models.TimeField(_("chiều bắt đầu"), default=time(13, 30))
    afternoon_end = models.TimeField(_("chiều kết thúc"), default=time(17, 0))
    cutoff = models.TimeField(
        _("giờ chốt chuyển hồ sơ"),
        default=time(15, 0),
        help_text=_("NĐ 61/2018 Điều 18: nhận sau giờ này thì chuyển vào ngày làm việc tiếp theo."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            models.UniqueConstraint(
                Coalesce("agency", Value(0)), name="workdays_office_hours_once_per_agency"
            ),
        ]

    def __str__(self) -> str:
        who = str(self.agency) if self.agency_id else "Mặc định"
        return (
            f"{who}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )
