"""Read helpers for notifications."""

from __future__ import annotations

from datetime import date

from chinhquyen.core.errors import DomainError
from chinhquyen.notifications.models import MessageTemplate


def active_template(code: str, channel: str, *, on: date) -> MessageTemplate:
    """The version of (code, channel) in force on `on`: latest `effective_from` not after it."""
    template = (
        MessageTemplate.objects.filter(code=code, channel=channel, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )
    if template is None:
        raise DomainError(
            f"Chưa có mẫu thông báo “{code}” cho kênh {channel} có hiệu lực ngày {on:%d/%m/%Y}.",
            code="template_not_found",
        )
    return template
