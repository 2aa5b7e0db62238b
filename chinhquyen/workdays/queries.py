"""Read helpers: the active schedule of a year, the stamp that versions the calendar cache, and the
office hours that apply to an agency."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from chinhquyen.org.models import Agency
from chinhquyen.workdays.models import HolidaySchedule, OfficeHours, ScheduleDay
from chinhquyen.workdays.statutory import YearDays

CalendarStamp = tuple[tuple[int, datetime], ...]


def calendar_stamp() -> CalendarStamp:
    """Changes whenever an active schedule is replaced, activated, deactivated or touched; every
    write to a schedule goes through an action that saves the schedule row (bumping updated_at).
    One small query, so a cache keyed by it stays right across processes."""
    rows = HolidaySchedule.objects.filter(is_active=True).order_by("year")
    return tuple(rows.values_list("pk", "updated_at"))


def active_schedule(year: int) -> HolidaySchedule | None:
    return HolidaySchedule.objects.filter(year=year, is_active=True).first()


def schedule_year_days(schedule: HolidaySchedule) -> YearDays:
    days_off: dict = {}
    saturdays: dict = {}
    for day in schedule.days.all():
        target = days_off if day.kind == ScheduleDay.Kind.DAY_OFF else saturdays
        target[day.date] = day.name
    source = f"{schedule.source} (phiên bản {schedule.version})"
    return YearDays(days_off=days_off, working_saturdays=saturdays, source=source)


def office_hours_for(agency: Agency | None) -> OfficeHours:
    """The hours of the agency, else of its nearest ancestor that has some, else the default row,
    else the built-in default (07:30–11:30, 13:30–17:00, cut-off 15:00)."""
    ancestors = agency.ancestor_ids() if agency is not None else []
    rows = {
        row.agency_id: row
        for row in OfficeHours.objects.filter(Q(agency_id__in=ancestors) | Q(agency__isnull=True))
    }
    for agency_id in reversed(ancestors):
        if agency_id in rows:
            return rows[agency_id]
    return rows.get(None) or OfficeHours()


def next_version(year: int) -> int:
    last = HolidaySchedule.objects.filter(year=year).order_by("-version").first()
    return last.version + 1 if last else 1
