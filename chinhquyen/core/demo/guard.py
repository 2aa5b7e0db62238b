"""The demo commands publish passwords and TOTP secrets: they run only with DEBUG on."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError


def check_demo_allowed() -> None:
    if not settings.DEBUG:
        raise CommandError(
            "Dữ liệu mẫu chỉ dùng cho môi trường phát triển: đặt DJANGO_DEBUG=1 rồi chạy lại. "
            "(Demo data is refused when DEBUG is off.)"
        )
