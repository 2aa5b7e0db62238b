"""`manage.py workdays add|between|import|is-working-day`: the calendar for administrators.

workdays add 2026-02-13T16:00+07:00 3 working_days   → 2026-02-25T16:00:00+07:00
workdays between 2026-02-13T08:00+07:00 2026-02-23T08:00+07:00   → PT8H (8 giờ làm việc)
workdays import chinhquyen/workdays/data/2026.csv
workdays is-working-day 2026-02-17"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chinhquyen.core.errors import DomainError
from chinhquyen.org.models import Agency
from chinhquyen.workdays import calendar
from chinhquyen.workdays.actions import do_import_schedule, load_official_schedules
from chinhquyen.workdays.api import iso_duration, parse_instant
from chinhquyen.workdays.calendar import VIETNAM, DurationUnit
from chinhquyen.workdays.schedule_files import ScheduleFileError


class Command(BaseCommand):
    help = "Lịch làm việc: cộng thời hạn, tính thời gian làm việc, nhập lịch nghỉ năm."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        add = sub.add_parser("add", help="Cộng thời hạn vào một thời điểm (ISO 8601 có múi giờ).")
        add.add_argument("start")
        add.add_argument("amount")
        add.add_argument("unit", help=", ".join(DurationUnit.values))
        add.add_argument("--agency", help="Mã định danh cơ quan (giờ làm việc riêng).")
        between = sub.add_parser("between", help="Thời gian làm việc giữa hai thời điểm.")
        between.add_argument("a")
        between.add_argument("b")
        between.add_argument("--agency", help="Mã định danh cơ quan.")
        load = sub.add_parser("import", help="Nhập lịch nghỉ năm từ tệp CSV (date,kind,name).")
        load.add_argument("file")
        load.add_argument("--year", type=int)
        load.add_argument("--source", default="", help="Số, ngày của thông báo.")
        load.add_argument("--inactive", action="store_true", help="Nhập nhưng chưa áp dụng.")
        sub.add_parser(
            "load-official",
            help="Nạp lịch nghỉ chính thức kèm theo phần mềm (2025, 2026); chạy khi triển khai.",
        )
        day = sub.add_parser("is-working-day", help="Một ngày có phải ngày làm việc không.")
        day.add_argument("date")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "add": self.add,
            "between": self.between,
            "import": self.load,
            "is-working-day": self.is_working_day,
            "load-official": self.load_official,
        }
        try:
            handlers[options["subcommand"]](options)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None

    def add(self, options: dict[str, Any]) -> None:
        start = parse_instant(options["start"], "start")
        try:
            amount = Decimal(options["amount"])
        except InvalidOperation:
            raise CommandError(f"Số lượng “{options['amount']}” không hợp lệ.") from None
        agency = _agency(options["agency"])
        result = calendar.add_duration(start, amount, options["unit"], agency=agency)
        self.stdout.write(result.astimezone(VIETNAM).isoformat())

    def between(self, options: dict[str, Any]) -> None:
        a, b = parse_instant(options["a"], "a"), parse_instant(options["b"], "b")
        elapsed = calendar.working_time_between(a, b, agency=_agency(options["agency"]))
        hours = f"{elapsed.total_seconds() / 3600:g}".replace(".", ",")
        self.stdout.write(f"{iso_duration(elapsed)} ({hours} giờ làm việc)")

    def load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from None
        try:
            result = do_import_schedule(
                text,
                acting_user=None,
                year=options["year"],
                source=options["source"],
                activate=not options["inactive"],
            )
        except ScheduleFileError as exc:
            lines = "\n".join(f"  dòng {n}: {text}" for n, text in exc.problems)
            raise CommandError(f"Tệp bị từ chối, không nhập gì:\n{lines}") from None
        schedule = result.schedule
        state = "đang áp dụng" if schedule.is_active else "chưa áp dụng"
        change = "đã nhập" if result.changed else "không thay đổi"
        self.stdout.write(f"Lịch {schedule.year} phiên bản {schedule.version} ({state}): {change}.")

    def load_official(self, options: dict[str, Any]) -> None:
        """Idempotent; never replaces a version an administrator imported (see the action)."""
        for result in load_official_schedules(acting_user=None):
            schedule = result.schedule
            change = "đã nạp" if result.changed else "không thay đổi"
            state = "đang áp dụng" if schedule.is_active else "chưa áp dụng"
            self.stdout.write(f"Lịch {schedule.year} v{schedule.version} ({state}): {change}.")

    def is_working_day(self, options: dict[str, Any]) -> None:
        try:
            day = date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"Ngày “{options['date']}” không đúng dạng YYYY-MM-DD.") from None
        info = calendar.describe_day(day)
        verdict = "ngày làm việc" if info.is_working_day else "ngày nghỉ"
        detail = f" ({info.name})" if info.name else ""
        source = f" [{info.source}]" if info.source else ""
        self.stdout.write(f"{day.isoformat()}: {verdict}{detail}{source}")


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(identifier_code=code.strip().upper()).first()
    if agency is None:
        raise CommandError(f"Không có cơ quan mã “{code}”.")
    return agency
