"""Times written for Vietnamese readers, shared by the public site and the officers' pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def moment(value: datetime | None) -> str:
    """ "24/11/2026 09:05", Vietnam time: what the template filter `date:"d/m/Y H:i"` prints,
    for pages where that filter's cost counts (the public lookup); "" for None."""
    if value is None:
        return ""
    return f"{value.astimezone(VIETNAM):%d/%m/%Y %H:%M}"
