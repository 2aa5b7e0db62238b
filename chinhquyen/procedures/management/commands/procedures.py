"""`manage.py procedures import FILE` (JSON or XLSX, told apart by content) and
`manage.py procedures export --format json|xlsx -o FILE`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chinhquyen.org.models import User
from chinhquyen.procedures.exchange import (
    export_catalogue_json,
    export_catalogue_xlsx,
    import_catalogue,
)


class Command(BaseCommand):
    help = "Nhập, xuất danh mục thủ tục hành chính (định dạng chinhquyen.procedures/1)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Nhập tệp JSON hoặc XLSX (tất cả hoặc không).")
        load.add_argument("file", help="Đường dẫn tệp JSON hoặc XLSX.")
        load.add_argument("--user", help="Tên đăng nhập ghi vào nhật ký (mặc định: hệ thống).")
        dump = actions.add_parser("export", help="Xuất toàn bộ danh mục.")
        dump.add_argument("--format", choices=("json", "xlsx"), default="json")
        dump.add_argument("-o", "--output", required=True, help="Tệp ghi ra ('-' : stdout, JSON).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(Path(options["file"]), options.get("user"))
        else:
            self._export(options["format"], options["output"])

    def _import(self, path: Path, username: str | None) -> None:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from None
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Không có người dùng “{username}”.")
        report = import_catalogue(content, acting_user=user)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  {problem.path or '(tệp)'}: {problem.message}")
            raise CommandError(f"Không nhập gì: {len(report.problems)} lỗi.")
        self.stdout.write(
            f"Lĩnh vực lưu: {len(report.fields_saved)}; phiên bản tạo mới: {len(report.created)}, "
            f"cập nhật: {len(report.updated)}, công bố: {len(report.published)}, "
            f"không đổi: {len(report.unchanged)}."
        )
        if not report.changed:
            self.stdout.write("Không có thay đổi.")

    def _export(self, kind: str, output: str) -> None:
        if kind == "json":
            text = json.dumps(export_catalogue_json(), ensure_ascii=False, indent=2) + "\n"
            if output == "-":
                self.stdout.write(text, ending="")
                return
            content = text.encode()
        elif output == "-":
            raise CommandError("XLSX cần một tệp (-o TỆP).")
        else:
            content = export_catalogue_xlsx()
        try:
            Path(output).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Không ghi được {output}: {exc.strerror}") from None
        self.stdout.write(f"Đã ghi {output}.")
