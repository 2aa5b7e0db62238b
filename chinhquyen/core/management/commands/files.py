"""`manage.py files sweep`: one pass of the stray-file sweep (beat runs it hourly). Deletes bytes
without a `StoredFile` row and rows nothing refers to, once older than the grace period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chinhquyen.core.files import sweep_stray_files


class Command(BaseCommand):
    help = "Tệp lưu trữ: dọn tệp không còn được tham chiếu."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("sweep", help="Xóa tệp mồ côi đã quá thời gian chờ (chạy lại an toàn).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep_stray_files()
        self.stdout.write(
            f"Đã xóa {report['rows']} bản ghi tệp không còn được dùng và "
            f"{report['files']} tệp không có bản ghi."
        )
