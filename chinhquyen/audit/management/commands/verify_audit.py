"""`manage.py verify_audit`: report the first audit row that was altered or removed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chinhquyen.audit.models import AuditEvent
from chinhquyen.audit.queries import find_first_break


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký; báo dòng đầu tiên bị sửa hoặc bị xóa."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = find_first_break()
        if broken is not None:
            raise CommandError(f"Nhật ký không toàn vẹn: {broken.reason}")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Nhật ký toàn vẹn: {count} dòng đã kiểm tra."))
