"""Workdays API: deadline arithmetic and the calendar. Public (`auth=None`): working days, office
hours and the arithmetic on them are public facts, and citizens' portals need them unsigned."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from chinhquyen.core.errors import DomainError
from chinhquyen.org.models import Agency
from chinhquyen.workdays import calendar
from chinhquyen.workdays.calendar import VIETNAM, DurationUnit

router = Router(tags=["workdays"], auth=None)


class AddOut(Schema):
    start: datetime
    amount: Decimal
    unit: str
    result: datetime


class BetweenOut(Schema):
    a: datetime
    b: datetime
    seconds: int
    hours: float
    duration: str


class DayOut(Schema):
    date: date
    is_working_day: bool
    kind: str
    name: str
    source: str


def parse_instant(value: str, field: str) -> datetime:
    """ISO 8601 with an offset; a naive or malformed value is a 400, never a 500."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(
            f"“{value}” không phải thời điểm ISO 8601 (ví dụ 2026-02-13T16:00+07:00).",
            code="invalid_instant",
            field=field,
        ) from None
    if instant.tzinfo is None:
        raise DomainError(
            "Thời điểm phải có múi giờ, ví dụ +07:00.", code="naive_instant", field=field
        )
    return instant


def iso_duration(value: timedelta) -> str:
    """ISO 8601 duration in hours, minutes and seconds (PT22H30M), negative with a minus sign."""
    seconds = int(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}H" if hours else ""
    text += f"{minutes}M" if minutes else ""
    text += f"{secs}S" if secs or not text else ""
    return f"{sign}PT{text}"


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(identifier_code=code.strip().upper()).first()
    if agency is None:
        raise DomainError(f"Không có cơ quan mã “{code}”.", code="unknown_agency", field="agency")
    return agency


def _refused(exc: ValueError | OverflowError, field: str) -> DomainError:
    return DomainError(str(exc), code="invalid", field=field)


@router.get("/add", response=AddOut, summary="Cộng một thời hạn vào một thời điểm")
def add(
    request: HttpRequest, start: str, amount: Decimal, unit: DurationUnit, agency: str | None = None
) -> dict[str, object]:
    instant = parse_instant(start, "start")
    try:
        result = calendar.add_duration(instant, amount, unit, agency=_agency(agency))
    except (ValueError, OverflowError) as exc:
        raise _refused(exc, "amount") from None
    return {"start": instant, "amount": amount, "unit": unit, "result": result.astimezone(VIETNAM)}


@router.get("/between", response=BetweenOut, summary="Thời gian làm việc giữa hai thời điểm")
def between(request: HttpRequest, a: str, b: str, agency: str | None = None) -> dict[str, object]:
    start, end = parse_instant(a, "a"), parse_instant(b, "b")
    try:
        elapsed = calendar.working_time_between(start, end, agency=_agency(agency))
    except (ValueError, OverflowError) as exc:
        raise _refused(exc, "b") from None
    seconds = int(elapsed.total_seconds())
    return {
        "a": start,
        "b": end,
        "seconds": seconds,
        "hours": round(seconds / 3600, 4),
        "duration": iso_duration(elapsed),
    }


@router.get("/days/{day}", response=DayOut, summary="Một ngày có phải ngày làm việc không")
def day_info(request: HttpRequest, day: date) -> calendar.DayInfo:
    try:
        return calendar.describe_day(day)
    except (ValueError, OverflowError) as exc:
        raise _refused(exc, "day") from None
