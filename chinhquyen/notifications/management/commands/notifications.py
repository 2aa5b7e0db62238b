"""`manage.py notifications load-templates` (the default Vietnamese templates, idempotent) and
`manage.py notifications sweep` (one pass of the outbox sweep, as beat runs every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chinhquyen.notifications.actions import do_sweep_outbox
from chinhquyen.notifications.defaults import load_default_templates


class Command(BaseCommand):
    help = "Thông báo: nạp mẫu mặc định, quét hộp thư đi."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "load-templates", help="Nạp các mẫu thông báo mặc định (chạy lại an toàn)."
        )
        actions.add_parser("sweep", help="Gửi lại thông báo đến hạn và thông báo bị treo.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load-templates":
            report = load_default_templates()
            self.stdout.write(
                f"Mẫu tạo mới: {len(report.created)}; không đổi: {len(report.unchanged)}."
            )
            for name in report.differing:
                self.stderr.write(f"  {name}: khác tệp mặc định, giữ nguyên bản trong CSDL.")
        else:
            sweep = do_sweep_outbox()
            self.stdout.write(
                f"Đã điều phối {len(sweep.dispatched)} thông báo; "
                f"gỡ treo {len(sweep.recovered)} thông báo."
            )
