from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chinhquyen.notifications.defaults import load_default_templates
from tests.notifications.servers import sms_gateway, smtp_server, smtp_settings

__all__ = ["sms_gateway", "smtp_server", "smtp_settings"]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 11, 3, 9, 30, tzinfo=VN)


@pytest.fixture
def templates(db: None) -> None:
    load_default_templates()


@pytest.fixture
def accepted_context() -> dict[str, Any]:
    """What the dossiers app passes when a citizen's dossier is accepted."""
    return {
        "ho_ten": "Nguyễn Thị Hồng Nhung",
        "ma_ho_so": "000.00.01.H99-251103-0001",
        "ten_thu_tuc": "Đăng ký khai sinh",
        "co_quan": "Sở Tư pháp",
        "ngay_tiep_nhan": date(2025, 11, 3),
        "ngay_hen_tra": date(2025, 11, 7),
        "duong_dan_tra_cuu": "https://dichvucong.example.gov.vn/tra-cuu/",
    }


@pytest.fixture
def enqueue(templates: None, accepted_context: dict[str, Any]) -> Any:
    """Write one message to the outbox as a business action would (no task: nothing commits)."""
    from django.db import transaction

    from chinhquyen.notifications.actions import do_enqueue_notification

    def write(channel: str = "email", recipient: str = "nhung.nguyen@example.vn", **kw: Any) -> Any:
        with transaction.atomic():
            return do_enqueue_notification(
                kw.get("code", "dossier.accepted"),
                channel,
                recipient,
                accepted_context,
                dedupe_key=kw.get("key", f"dossier:1:accepted:{channel}"),
                now=NOW,
            )

    return write
