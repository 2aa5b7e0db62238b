"""Read helpers for notifications."""

from __future__ import annotations

from datetime import date

from chinhquyen.core.errors import DomainError
from chinhquyen.core.sql import first_where
from chinhquyen.notifications.models import MessageTemplate


def active_template(code: str, channel: str, *, on: date) -> MessageTemplate:
    """The version of (code, channel) in force on `on`: latest `effective_from` not after it."""
    # Read for every message queued: one prepared statement (core.sql).
    template = first_where(
        MessageTemplate,
        "t0.code = %s AND t0.channel = %s AND t0.effective_from <= %s",
        [code, channel, on],
        order_by="t0.effective_from DESC, t0.version DESC",
    )
    if template is None:
        raise DomainError(
            f"Chưa có mẫu thông báo “{code}” cho kênh {channel} có hiệu lực ngày {on:%d/%m/%Y}.",
            code="template_not_found",
        )
    return template
