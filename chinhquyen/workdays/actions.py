"""Every change to the working calendar. Each `do_*` runs in one transaction and writes its audit
row in that same transaction; saving the schedule row bumps the calendar stamp (queries.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.org.models import Agency
from chinhquyen.workdays.models import HolidaySchedule, OfficeHours, ScheduleDay
from chinhquyen.workdays.queries import next_version
from chinhquyen.workdays.schedule_files import ScheduleFile, ScheduleRow, parse_schedule

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ImportResult:
    schedule: HolidaySchedule
    changed: bool


def _snapshot(schedule: HolidaySchedule) -> dict[str, Any]:
    return {
        "year": schedule.year,
        "version": schedule.version,
        "source": schedule.source,
        "is_active": schedule.is_active,
        "origin": schedule.origin,
        "content_hash": schedule.content_hash,
        "days": schedule.days.count(),
    }


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "pk", None) is not None else None


def _activate(schedule: HolidaySchedule) -> None:
    """Deactivate the year's other version first: at most one active version per year."""
    now = timezone.now()
    others = HolidaySchedule.objects.filter(year=schedule.year, is_active=True)
    others.exclude(pk=schedule.pk).update(is_active=False, updated_at=now)
    schedule.is_active = True
    schedule.save(update_fields=["is_active", "updated_at"])


def _create_version(
    parsed: ScheduleFile, *, acting_user: Any, origin: str, activate: bool
) -> HolidaySchedule:
    schedule = HolidaySchedule.objects.create(
        year=parsed.year,
        version=next_version(parsed.year),
        source=parsed.source,
        origin=origin,
        content_hash=parsed.content_hash(),
        imported_by=_actor(acting_user),
    )
    ScheduleDay.objects.bulk_create(
        ScheduleDay(schedule=schedule, date=row.date, kind=row.kind, name=row.name)
        for row in parsed.sorted_rows()
    )
    if activate:
        _activate(schedule)
    return schedule


def do_import_schedule(
    text: str,
    *,
    acting_user: Any,
    year: int | None = None,
    source: str = "",
    activate: bool = True,
    origin: str = HolidaySchedule.Origin.IMPORTED,
) -> ImportResult:
    """Import a yearly schedule file as a new version. The whole file is checked first and refused
    whole (ScheduleFileError lists every bad line). Importing the content of the active version
    again changes nothing; the content of an older version is re-activated, not duplicated."""
    parsed = parse_schedule(text, year=year, source=source)
    try:
        with transaction.atomic():
            return _import_parsed(parsed, acting_user=acting_user, activate=activate, origin=origin)
    except IntegrityError:
        raise _conflict(parsed.year) from None


def _conflict(year: int) -> Conflict:
    """Two concurrent writers took the same version number: the unique constraint refused one."""
    return Conflict(
        f"Lịch năm {year} vừa được người khác thay đổi; hãy thực hiện lại.",
        code="schedule_conflict",
    )


def _import_parsed(
    parsed: ScheduleFile, *, acting_user: Any, activate: bool, origin: str
) -> ImportResult:
    versions = HolidaySchedule.objects.filter(year=parsed.year)
    same = versions.filter(content_hash=parsed.content_hash()).order_by("-version").first()
    if same is not None and (same.is_active or not activate):
        return ImportResult(same, changed=False)
    if same is not None:
        _activate(same)
        record_audit(
            "workdays.schedule.activate", actor=acting_user, obj=same, after=_snapshot(same)
        )
        return ImportResult(same, changed=True)
    schedule = _create_version(parsed, acting_user=acting_user, origin=origin, activate=activate)
    record_audit(
        "workdays.schedule.import", actor=acting_user, obj=schedule, after=_snapshot(schedule)
    )
    return ImportResult(schedule, changed=True)


def load_official_schedules(acting_user: Any = None) -> list[ImportResult]:
    """Load the schedules shipped in `data/` (2025, 2026). Idempotent. A shipped version becomes
    active only when the year has no active version or the active one was itself shipped, so a
    schedule an administrator imported is never overridden by a deploy."""
    results = []
    for path in sorted(DATA_DIR.glob("*.csv")):
        parsed = parse_schedule(path.read_text(encoding="utf-8"))
        with transaction.atomic():
            active = HolidaySchedule.objects.filter(year=parsed.year, is_active=True).first()
            shipped_wins = active is None or active.origin == HolidaySchedule.Origin.SHIPPED
            results.append(
                _import_parsed(
                    parsed,
                    acting_user=acting_user,
                    activate=shipped_wins,
                    origin=HolidaySchedule.Origin.SHIPPED,
                )
            )
    return results


def do_activate_schedule(schedule: HolidaySchedule, *, acting_user: Any) -> HolidaySchedule:
    with transaction.atomic():
        before = _snapshot(schedule)
        _activate(schedule)
        record_audit(
            "workdays.schedule.activate",
            actor=acting_user,
            obj=schedule,
            before=before,
            after=_snapshot(schedule),
        )
    return schedule


def do_deactivate_schedule(schedule: HolidaySchedule, *, acting_user: Any) -> HolidaySchedule:
    """The year falls back to the statutory rules until another version is activated."""
    with transaction.atomic():
        schedule.is_active = False
        schedule.save(update_fields=["is_active", "updated_at"])
        record_audit("workdays.schedule.deactivate", actor=acting_user, obj=schedule)
    return schedule


def do_copy_schedule(schedule: HolidaySchedule, *, acting_user: Any) -> HolidaySchedule:
    """A new inactive draft version with the same days, to edit and then activate."""
    rows = [ScheduleRow(day.date, day.kind, day.name) for day in schedule.days.all()]
    parsed = ScheduleFile(year=schedule.year, source=schedule.source, rows=rows)
    try:
        with transaction.atomic():
            copy = _create_version(
                parsed, acting_user=acting_user, origin=HolidaySchedule.Origin.ADMIN, activate=False
            )
            copy.note = f"Sao chép từ phiên bản {schedule.version}."
            copy.save(update_fields=["note", "updated_at"])
            record_audit(
                "workdays.schedule.copy", actor=acting_user, obj=copy, after=_snapshot(copy)
            )
    except IntegrityError:
        raise _conflict(schedule.year) from None
    return copy


def do_record_schedule_edit(schedule: HolidaySchedule, *, acting_user: Any) -> HolidaySchedule:
    """After the admin saved a schedule and its days: refresh the content hash, bump the stamp and
    write the audit row (the admin's change view already runs in one transaction)."""
    with transaction.atomic():
        rows = [ScheduleRow(day.date, day.kind, day.name) for day in schedule.days.all()]
        parsed = ScheduleFile(year=schedule.year, source=schedule.source, rows=rows)
        schedule.content_hash = parsed.content_hash()
        schedule.save(update_fields=["content_hash", "updated_at"])
        record_audit(
            "workdays.schedule.edit", actor=acting_user, obj=schedule, after=_snapshot(schedule)
        )
    return schedule


def check_office_hours(
    morning_start: time, morning_end: time, afternoon_start: time, afternoon_end: time, cutoff: time
) -> None:
    if not morning_start < morning_end <= afternoon_start < afternoon_end:
        raise DomainError(
            "Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu "
            "< chiều kết thúc.",
            code="office_hours_invalid",
        )
    if not morning_start <= cutoff <= afternoon_end:
        raise DomainError("Giờ chốt phải nằm trong giờ làm việc.", field="cutoff")


def do_set_office_hours(
    *,
    acting_user: Any,
    agency: Agency | None,
    morning_start: time,
    morning_end: time,
    afternoon_start: time,
    afternoon_end: time,
    cutoff: time,
) -> OfficeHours:
    spans = {
        "morning_start": morning_start,
        "morning_end": morning_end,
        "afternoon_start": afternoon_start,
        "afternoon_end": afternoon_end,
        "cutoff": cutoff,
    }
    check_office_hours(**spans)
    with transaction.atomic():
        row = OfficeHours.objects.select_for_update().filter(agency=agency).first()
        before = {k: str(getattr(row, k)) for k in spans} if row else None
        row = row or OfficeHours(agency=agency)
        for key, value in spans.items():
            setattr(row, key, value)
        row.save()
        record_audit(
            "workdays.office_hours.set",
            actor=acting_user,
            obj=row,
            before=before,
            after={k: str(v) for k, v in spans.items()},
        )
    return row
