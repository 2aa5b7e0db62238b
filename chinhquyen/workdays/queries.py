"""Read helpers: the active schedule of a year, the stamp that versions the calendar cache, and the
office hours that apply to an agency."""

from __future__ import annotations

from threading import Lock
from typing import Any

from django.db.models import Q

from chinhquyen.core.sql import fetch_prepared
from chinhquyen.org.models import Agency
from chinhquyen.workdays.models import HolidaySchedule, OfficeHours, ScheduleDay
from chinhquyen.workdays.statutory import YearDays

CalendarStamp = tuple[tuple[Any, ...], ...]


_SCHEDULE, _HOURS = HolidaySchedule._meta.db_table, OfficeHours._meta.db_table
_STAMP_SQL = (
    f"SELECT 's', id, updated_at FROM {_SCHEDULE} WHERE is_active"  # noqa: S608 (model tables)
    f" UNION ALL SELECT 'h', COUNT(*), MAX(updated_at) FROM {_HOURS}"
    f" UNION ALL SELECT 'i', COALESCE(SUM(id), 0), NULL FROM {_HOURS}"
    " ORDER BY 1, 2"
)


def calendar_stamp() -> CalendarStamp:
    """Changes whenever an active schedule is replaced, activated, deactivated or touched (every
    write to a schedule goes through an action that saves the schedule row, bumping updated_at),
    and whenever office hours are added, edited or removed. One small prepared query, so the
    caches keyed by it (year days, office hours) stay right across processes."""
    return tuple(fetch_prepared(_STAMP_SQL, []))


_hours_lock = Lock()
_hours_cache: dict[tuple[int, ...], OfficeHours] = {}
_hours_stamp: list[CalendarStamp | None] = [None]


def forget_office_hours(**_: Any) -> None:
    """In this process, at once (other processes see the stamp change)."""
    with _hours_lock:
        _hours_cache.clear()
        _hours_stamp[0] = None


def cached_office_hours(agency: Agency | None, stamp: CalendarStamp) -> OfficeHours:
    """`office_hours_for`, kept per process for as long as the calendar stamp stays the same
    (read on every move of a dossier; the rows change a few times a year)."""
    key = tuple(agency.ancestor_ids()) if agency is not None else ()
    with _hours_lock:
        if _hours_stamp[0] != stamp:
            _hours_cache.clear()
            _hours_stamp[0] = stamp
        hours = _hours_cache.get(key)
    if hours is None:
        hours = office_hours_for(agency)
        with _hours_lock:
            if _hours_stamp[0] == stamp:
                _hours_cache[key] = hours
    return hours


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
