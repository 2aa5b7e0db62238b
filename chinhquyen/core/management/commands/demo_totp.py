"""`manage.py demo_totp USERNAME`: the current 6-digit code of a demo persona (DEBUG only), for
someone signing in to the demo without an authenticator app."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chinhquyen.core.demo.guard import check_demo_allowed
from chinhquyen.core.demo.personas import PERSONAS, persona_by_username
from chinhquyen.org.signin import TOTP_PERIOD


class Command(BaseCommand):
    help = "In mã TOTP hiện tại của một tài khoản mẫu (chỉ khi DEBUG bật)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        check_demo_allowed()
        persona = persona_by_username(options["username"])
        if persona is None:
            known = ", ".join(p.username for p in PERSONAS)
            raise CommandError(f"Không phải tài khoản mẫu: {options['username']}. Có: {known}.")
        now = time.time()
        code = pyotp.TOTP(persona.totp_secret, interval=TOTP_PERIOD).at(now)
        remaining = TOTP_PERIOD - int(now) % TOTP_PERIOD
        self.stdout.write(code)
        self.stderr.write(f"(còn hiệu lực {remaining} giây)")
