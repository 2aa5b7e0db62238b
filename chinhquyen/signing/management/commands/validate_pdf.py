"""`manage.py validate_pdf FILE [--json] [--no-fetch]`: check the signatures of a PDF.

Exit status: 0 when there is at least one signature and every one is valid; 1 when any is
invalid or could not be fully checked; 2 when the file cannot be read."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chinhquyen.signing.validation.engine import validate_pdf_bytes
from chinhquyen.signing.validation.report import Verdict
from chinhquyen.signing.validation.text import render_text

EXIT_VALID, EXIT_NOT_VALID, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số trong tệp PDF (báo cáo tiếng Việt hoặc JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp PDF")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
        parser.add_argument(
            "--no-fetch",
            action="store_true",
            help="Không tra cứu OCSP/CRL trực tuyến (chỉ dùng dữ liệu trong tệp và bộ nhớ đệm)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Không đọc được tệp {path}: {exc.strerror or exc}")
            sys.exit(EXIT_UNREADABLE)
        report = validate_pdf_bytes(data, fetch=False if options["no_fetch"] else None)
        if options["json"]:
            self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(report, str(path)), ending="")
        if report.problem is not None:
            sys.exit(EXIT_UNREADABLE)
        ok = report.signatures and report.verdict == Verdict.VALID
        sys.exit(EXIT_VALID if ok else EXIT_NOT_VALID)
