"""`manage.py load_admin_units [--province 33 ...]`: load administrative units from the package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chinhquyen.org.adminunits import CURRENT_SOURCE, load_administrative_units


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính hiện hành (tỉnh, xã) từ gói vietnam-provinces và các đơn vị "
        "cấp huyện, tỉnh cũ (trước 01/07/2025) làm lịch sử. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            type=int,
            action="append",
            dest="provinces",
            help="Mã tỉnh (GSO) hiện hành, ví dụ 33; lặp lại để nạp nhiều tỉnh. Mặc định: cả nước.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_administrative_units(options["provinces"])
        self.stdout.write(f"Nguồn: {CURRENT_SOURCE}")
        for key in result.created:
            self.stdout.write(
                f"  {key}: {result.created[key]} tạo mới, {result.updated[key]} cập nhật"
            )
        if not result.changed:
            self.stdout.write("Không có thay đổi.")
