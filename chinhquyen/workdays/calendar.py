"""The deadline arithmetic every app uses (convention: docs/adr/0002-working-time-convention.md).

All instants are timezone-aware; day boundaries are those of Asia/Ho_Chi_Minh; a naive datetime is
refused with ValueError. Each public call reads the calendar stamp (one small query) and the office
hours; the per-year day sets are cached in the process, keyed by the stamp, so a schedule changed by
another process is seen at the next call."""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from threading import Lock
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhquyen.org.models import Agency
from chinhquyen.workdays.models import OfficeHours
from chinhquyen.workdays.queries import (
    CalendarStamp,
    active_schedule,
    cached_office_hours,
    calendar_stamp,
    schedule_year_days,
)
from chinhquyen.workdays.statutory import SATURDAY, YearDays, is_weekend, statutory_year

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_SEARCH_LIMIT_DAYS = 400  # no year has this many non-working days in a row
# Bounds on one computation (about 20 years), so a public API call cannot run away.
_LIMITS = {
    "working_hours": 40_000,
    "working_days": 5_000,
    "days": 7_300,
    "months": 240,
}
_MAX_SPAN = timedelta(days=7_300)


class DurationUnit(models.TextChoices):
    """Units of a time limit (DonViTinh of the national portal)."""

    WORKING_HOURS = "working_hours", _("Giờ làm việc")
    WORKING_DAYS = "working_days", _("Ngày làm việc")
    DAYS = "days", _("Ngày")
    MONTHS = "months", _("Tháng")


@dataclass(frozen=True)
class DayInfo:
    date: date
    is_working_day: bool
    kind: str  # working_day, weekend, day_off, working_saturday
    name: str
    source: str


_cache_lock = Lock()
_cache: dict[int, YearDays] = {}
_cache_stamp: list[CalendarStamp | None] = [None]


@lru_cache(maxsize=256)
def _statutory(year: int) -> YearDays:
    return statutory_year(year)


def _year_days(year: int, stamp: CalendarStamp) -> YearDays:
    with _cache_lock:
        if _cache_stamp[0] != stamp:
            _cache.clear()
            _cache_stamp[0] = stamp
        if year in _cache:
            return _cache[year]
    schedule = active_schedule(year)
    days = schedule_year_days(schedule) if schedule else _statutory(year)
    with _cache_lock:
        if _cache_stamp[0] == stamp:
            _cache[year] = days
    return days


class WorkingCalendar:
    """The calendar as seen by one agency during one call: working days and office spans."""

    def __init__(self, hours: OfficeHours, stamp: CalendarStamp) -> None:
        self.hours = hours
        self.stamp = stamp
        self.spans = (
            (hours.morning_start, hours.morning_end),
            (hours.afternoon_start, hours.afternoon_end),
        )

    def year(self, year: int) -> YearDays:
        return _year_days(year, self.stamp)

    def is_working_day(self, day: date) -> bool:
        days = self.year(day.year)
        if day.weekday() == SATURDAY and day in days.working_saturdays:
            return True
        return not is_weekend(day) and day not in days.days_off

    def step(self, day: date, direction: int = 1) -> date:
        """The next (or previous) working day strictly after (before) `day`."""
        for _index in range(_SEARCH_LIMIT_DAYS):
            day += timedelta(days=direction)
            if self.is_working_day(day):
                return day
        raise ValueError("Không tìm thấy ngày làm việc.")

    def spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [(_at(day, start), _at(day, end)) for start, end in self.spans]

    def working_start_from(self, instant: datetime) -> datetime:
        local = instant.astimezone(VIETNAM)
        day = local.date()
        for _index in range(_SEARCH_LIMIT_DAYS):
            for start, end in self.spans_on(day):
                if local < end:
                    return max(local, start)
            day += timedelta(days=1)
        raise ValueError("Không tìm thấy giờ làm việc.")

    def on_working_day(self, instant: datetime) -> datetime:
        """Civil Code 2015 Art. 148: a period ending on a day off ends on the next working
        day; the clock time is kept (ADR 0002)."""
        if self.is_working_day(instant.date()):
            return instant
        return _at(self.step(instant.date()), instant.time())


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=VIETNAM)


# The lunar calendar and the statutory fallback are computed for these years; a deadline outside
# them is a typing error, not a date the administration will ever count to.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _aware(instant: datetime, name: str = "start") -> datetime:
    if not isinstance(instant, datetime):
        raise ValueError(f"{name}: cần một thời điểm (datetime).")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name}: thời điểm phải có múi giờ (naive datetime bị từ chối).")
    if not FIRST_YEAR + 1 <= instant.year <= LAST_YEAR - 21:
        raise ValueError(f"{name}: năm phải trong khoảng {FIRST_YEAR + 1}–{LAST_YEAR - 21}.")
    return instant.astimezone(VIETNAM)


def _as_day(day: date) -> date:
    """A datetime is read as its date in Vietnam, never compared as a datetime with dates."""
    if isinstance(day, datetime):
        return _aware(day, "day").date()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"Năm phải trong khoảng {FIRST_YEAR}–{LAST_YEAR}.")
    return day


def working_calendar(agency: Agency | None = None) -> WorkingCalendar:
    stamp = calendar_stamp()
    return WorkingCalendar(cached_office_hours(agency, stamp), stamp)


def _calendar_only() -> WorkingCalendar:
    return WorkingCalendar(OfficeHours(), calendar_stamp())


def is_working_day(day: date) -> bool:
    """Monday–Friday not in the year's days off, or a Saturday worked (làm bù)."""
    return _calendar_only().is_working_day(_as_day(day))


def describe_day(day: date) -> DayInfo:
    day = _as_day(day)
    days = _calendar_only().year(day.year)
    if day in days.working_saturdays and day.weekday() == SATURDAY:
        return DayInfo(day, True, "working_saturday", days.working_saturdays[day], days.source)
    if day in days.days_off and not is_weekend(day):
        return DayInfo(day, False, "day_off", days.days_off[day], days.source)
    if is_weekend(day):
        return DayInfo(
            day, False, "weekend", "Thứ Bảy" if day.weekday() == SATURDAY else "Chủ nhật", ""
        )
    return DayInfo(day, True, "working_day", "", days.source)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    return _calendar_only().step(_as_day(day))


def next_working_start(instant: datetime, *, agency: Agency | None = None) -> datetime:
    """The instant itself when within office hours of a working day, else the next start of office
    hours: a dossier accepted out of hours counts from there (ADR 0002; onestop.md §1.4)."""
    return working_calendar(agency).working_start_from(_aware(instant))


def transfer_date(instant: datetime, *, agency: Agency | None = None) -> date:
    """Decree 61/2018 Art. 18: a paper dossier is transferred the same working day; received after
    the cut-off (15:00) or on a day off, it goes on the next working day."""
    local = _aware(instant, "instant")
    cal = working_calendar(agency)
    if cal.is_working_day(local.date()) and local.time() <= cal.hours.cutoff:
        return local.date()
    return cal.step(local.date())


def add_working_days(start: datetime, n: int, *, agency: Agency | None = None) -> datetime:
    """Day 1 is the working day after the (normalised) start; the due instant is the same clock
    time on the n-th working day (ADR 0002). Negative n counts back (for warnings)."""
    cal = working_calendar(agency)
    begin = cal.working_start_from(_aware(start))
    day = begin.date()
    for _index in range(abs(_bounded(_whole(n), "working_days"))):
        day = cal.step(day, 1 if n > 0 else -1)
    return _at(day, begin.time())


def add_working_hours(
    start: datetime, hours: Decimal | float | int, *, agency: Agency | None = None
) -> datetime:
    """Counted inside office spans of working days only, from the normalised start."""
    remaining = _hours_to_timedelta(hours)
    if remaining > timedelta(hours=_LIMITS["working_hours"]):
        raise ValueError(f"Số giờ làm việc tối đa là {_LIMITS['working_hours']}.")
    cal = working_calendar(agency)
    cursor = cal.working_start_from(_aware(start))
    if not remaining:
        return cursor
    day = cursor.date()
    while True:
        for span_start, span_end in cal.spans_on(day):
            begin = max(cursor, span_start)
            if begin >= span_end:
                continue
            if remaining <= span_end - begin:
                return begin + remaining
            remaining -= span_end - begin
        day = cal.step(day)


def add_calendar_days(start: datetime, n: int, *, agency: Agency | None = None) -> datetime:
    """Civil Code 2015 Art. 147(2): the first day is not counted; a period ending on a day off is
    carried to the next working day (Art. 148); the clock time is kept. Counted from the instant
    itself, not from the next office opening: moving the start would end the period later
    than the Code allows (ADR 0002)."""
    cal = working_calendar(agency)
    begin = _aware(start)
    return cal.on_working_day(begin + timedelta(days=_bounded(_non_negative(_whole(n)), "days")))


def add_months(start: datetime, n: int, *, agency: Agency | None = None) -> datetime:
    """Civil Code 2015 Art. 148: ends on the same day-of-month n months on, or the last day of
    that month when it has no such day; then carried past days off as for calendar days."""
    cal = working_calendar(agency)
    begin = _aware(start)  # from the instant itself, as for calendar days
    index = begin.month - 1 + _bounded(_non_negative(_whole(n)), "months")
    year, month = begin.year + index // 12, index % 12 + 1
    day = min(begin.day, gregorian.monthrange(year, month)[1])
    return cal.on_working_day(begin.replace(year=year, month=month, day=day))


def add_duration(
    start: datetime,
    amount: Decimal | float | int,
    unit: str,
    *,
    agency: Agency | None = None,
) -> datetime:
    """One entry point for time limits: `unit` is a DurationUnit value."""
    if unit == DurationUnit.WORKING_HOURS:
        return add_working_hours(start, amount, agency=agency)
    adders = {
        DurationUnit.WORKING_DAYS: add_working_days,
        DurationUnit.DAYS: add_calendar_days,
        DurationUnit.MONTHS: add_months,
    }
    if unit not in adders:
        choices = ", ".join(DurationUnit.values)
        raise ValueError(f"Đơn vị “{unit}” không hợp lệ; dùng một trong: {choices}.")
    return adders[DurationUnit(unit)](start, _whole(amount), agency=agency)


def working_time_between(a: datetime, b: datetime, *, agency: Agency | None = None) -> timedelta:
    """The office time of working days inside [a, b); negative when b is before a."""
    a, b = _aware(a, "a"), _aware(b, "b")
    if b < a:
        return -working_time_between(b, a, agency=agency)
    if b - a > _MAX_SPAN:
        raise ValueError("Khoảng thời gian tối đa là 20 năm.")
    cal = working_calendar(agency)
    total = timedelta()
    day = a.date()
    while day <= b.date():
        for span_start, span_end in cal.spans_on(day):
            overlap = min(b, span_end) - max(a, span_start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total


def _whole(amount: Decimal | float | int) -> int:
    try:
        whole = int(amount)
    except (ArithmeticError, ValueError):
        whole = None
    if isinstance(amount, bool) or whole is None or whole != amount:
        raise ValueError(f"Số ngày, số tháng phải là số nguyên (nhận {amount}).")
    return whole


def _bounded(n: int, unit: str) -> int:
    if abs(n) > _LIMITS[unit]:
        raise ValueError(f"Số lượng quá lớn: tối đa {_LIMITS[unit]} ({unit}).")
    return n


def _non_negative(n: int) -> int:
    if n < 0:
        raise ValueError("Số ngày, số tháng không được âm.")
    return n


def _hours_to_timedelta(hours: Decimal | float | int) -> timedelta:
    try:
        value = Decimal(str(hours))
    except ArithmeticError:
        raise ValueError(f"Số giờ “{hours}” không hợp lệ.") from None
    if not value.is_finite() or value < 0:
        raise ValueError("Số giờ làm việc phải là số không âm.")
    if value > _LIMITS["working_hours"]:  # before building a timedelta that could overflow
        raise ValueError(f"Số giờ làm việc tối đa là {_LIMITS['working_hours']}.")
    return timedelta(microseconds=round(value * 3_600_000_000))
