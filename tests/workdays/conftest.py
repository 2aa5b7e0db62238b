"""Fixtures: the shipped 2025 and 2026 schedules, and instants in Vietnam time."""

from __future__ import annotations

from datetime import datetime

import pytest

from chinhquyen.workdays.actions import load_official_schedules
from chinhquyen.workdays.calendar import VIETNAM


@pytest.fixture
def official_schedules(db: None) -> None:
    load_official_schedules(acting_user=None)


def vn(text: str) -> datetime:
    """`vn("2026-02-13 16:00")` → that wall-clock time in Asia/Ho_Chi_Minh."""
    return datetime.fromisoformat(text).replace(tzinfo=VIETNAM)
