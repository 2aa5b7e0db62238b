"""`manage.py trust add FILE --name N --kind root|intermediate` and `manage.py trust list`:
the trusted roots and intermediates (the national root and the government CA are data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chinhquyen.core.errors import DomainError
from chinhquyen.signing.models import TrustAnchor
from chinhquyen.signing.trust import do_add_trust_anchor


class Command(BaseCommand):
    help = "Quản lý chứng thư tin cậy (chứng thư gốc, chứng thư trung gian)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Thêm chứng thư tin cậy từ tệp DER hoặc PEM")
        add.add_argument("file")
        add.add_argument("--name", required=True)
        add.add_argument("--kind", required=True, choices=TrustAnchor.Kind.values)
        sub.add_parser("list", help="Liệt kê chứng thư tin cậy")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
        else:
            self._list()

    def _add(self, options: dict[str, Any]) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc.strerror or exc}") from None
        try:
            anchor = do_add_trust_anchor(
                data, name=options["name"], kind=options["kind"], acting_user=None
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Đã thêm “{anchor.name}” ({anchor.kind}) {anchor.fingerprint_sha256}")

    def _list(self) -> None:
        rows = TrustAnchor.objects.order_by("kind", "name")
        if not rows:
            self.stdout.write("Chưa có chứng thư tin cậy nào.")
        for row in rows:
            state = "tin cậy" if row.enabled else "đã tắt"
            self.stdout.write(
                f"{row.kind:<12} {state:<8} {row.not_after:%Y-%m-%d} "
                f"{row.fingerprint_sha256[:16]} {row.name} — {row.subject}"
            )
