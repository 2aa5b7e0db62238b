"""`manage.py citizens sweep-codes`: one pass of the spent-code sweep (beat runs it hourly).
Blanks the code in delivered messages once it is used or expired, and deletes verification rows
a day after."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chinhquyen.org.citizens import do_sweep_spent_codes


class Command(BaseCommand):
    help = "Tài khoản công dân: dọn mã xác thực đã dùng hoặc hết hạn."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "sweep-codes", help="Che mã trong thông báo đã gửi, xóa mã cũ (chạy lại an toàn)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = do_sweep_spent_codes()
        self.stdout.write(
            f"Đã che mã trong {report.blanked} thông báo và xóa {report.deleted} mã xác thực cũ."
        )
