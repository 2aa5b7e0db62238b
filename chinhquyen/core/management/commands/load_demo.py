"""`manage.py load_demo`: the demo province, its agencies and one sign-in per role (DEBUG only)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from chinhquyen.core.demo.guard import check_demo_allowed
from chinhquyen.core.demo.loader import load_demo
from chinhquyen.core.demo.personas import CITIZEN_PERSONAS, PERSONAS
from chinhquyen.org.models import Agency, Role


class Command(BaseCommand):
    help = "Nạp tỉnh mẫu Hưng Yên (cơ quan, UBND xã, tài khoản mẫu). Chỉ chạy khi DEBUG bật."

    def handle(self, *args: Any, **options: Any) -> None:
        check_demo_allowed()
        started = time.monotonic()
        result = load_demo()
        elapsed = time.monotonic() - started
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"Đã nạp trong {elapsed:.1f} s: {result.agencies_created} cơ quan mới, "
            f"{result.users_created} tài khoản mới, {result.procedures_created} thủ tục mới "
            f"({Agency.objects.count()} cơ quan trong CSDL)."
        )
        self._print_sign_ins()

    def _print_sign_ins(self) -> None:
        codes = {p.agency_code for p in PERSONAS}
        names = {
            agency.identifier_code: agency.short_name or agency.name
            for agency in Agency.objects.filter(identifier_code__in=codes)
        }
        roles = dict(Role.choices)
        rows = [("Tên đăng nhập", "Vai trò", "Cơ quan", "Mật khẩu", "Khóa TOTP")]
        rows += [
            (p.username, str(roles[p.role]), names[p.agency_code], p.password, p.totp_secret)
            for p in PERSONAS
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("Mã TOTP hiện tại: python manage.py demo_totp <tên đăng nhập>")
        for citizen in CITIZEN_PERSONAS:
            self.stdout.write(
                f"Công dân (đăng nhập tại /tai-khoan/dang-nhap/, không cần TOTP): {citizen.email} "
                f"hoặc {citizen.phone}, mật khẩu {citizen.password} — {citizen.full_name}"
            )
