"""The period of the staff statistics page, read from the query string: two Vietnam calendar days
`tu` … `den` (both included, as a report reads "từ ngày … đến ngày …"), or a preset `ky` (this
month, quarter or year, up to today: Decision 766 is reported by month and quarter, onestop.md
§4, 1.4). Bad input is a `DomainError` with a Vietnamese message.

The statistics themselves take the half-open instants [start, end) in Vietnam time (midnight of
`tu`, midnight after `den`), as the API does (Decision 766 counts by calendar day)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chinhquyen.core.errors import DomainError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_DAYS = 366  # one report covers at most a (leap) year: a longer one is several reports
FIRST_DAY = date(2000, 1, 1)
PRESETS = {"thang": "Tháng này", "quy": "Quý này", "nam": "Năm nay"}


@dataclass(frozen=True)
class Period:
    first: date  # included
    last: date  # included
    preset: str = ""

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=VIETNAM)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=VIETNAM)

    def query(self) -> str:
        """The query-string part that names this period (links keep it)."""
        return f"tu={self.first.isoformat()}&den={self.last.isoformat()}"


def preset_period(key: str, today: date) -> Period:
    if key == "nam":
        return Period(date(today.year, 1, 1), today, key)
    if key == "quy":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today, key)
    return Period(today.replace(day=1), today, "thang")


def _day(text: str, field: str, label: str) -> date:
    text = text.strip()[:20]
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise DomainError(
        f"{label} không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/11/2026.",
        code="invalid_date",
        field=field,
    )


def read_period(query: Mapping[str, str], today: date) -> Period:
    """The period asked for; this month when nothing is asked."""
    first_text, last_text = query.get("tu", ""), query.get("den", "")
    if not first_text.strip() and not last_text.strip():
        return preset_period(query.get("ky", "thang"), today)
    if not first_text.strip() or not last_text.strip():
        raise DomainError(
            "Nhập đủ cả từ ngày và đến ngày, hoặc chọn một kỳ có sẵn.",
            code="incomplete_period",
            field="tu" if not first_text.strip() else "den",
        )
    first = _day(first_text, "tu", "Từ ngày")
    last = _day(last_text, "den", "Đến ngày")
    if first < FIRST_DAY:
        raise DomainError(
            f"Từ ngày phải từ {FIRST_DAY:%d/%m/%Y} trở đi.", code="invalid_date", field="tu"
        )
    if first > today:
        raise DomainError("Từ ngày không được sau ngày hôm nay.", code="future_period", field="tu")
    if last < first:
        raise DomainError(
            "Đến ngày phải trùng hoặc sau từ ngày.", code="invalid_period", field="den"
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError(
            f"Kỳ thống kê dài tối đa {MAX_DAYS} ngày; hãy chia thành nhiều kỳ.",
            code="period_too_long",
            field="den",
        )
    return Period(first, last)
