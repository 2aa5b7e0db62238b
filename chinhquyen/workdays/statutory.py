"""The statutory fallback for a year that has no active schedule (no notice imported yet).

Labour Code 2019 Art. 112(1) names the holidays; the exact Tết days and the day adjacent to 2/9 are
left to the Prime Minister (Art. 112(3)), so this is a best guess until the notice is imported:
Tết = the last day of the old lunar year through mùng 4; Quốc khánh = 1/9 and 2/9 (ADR 0002)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chinhquyen.workdays.lunar import lunar_to_solar

SATURDAY = 5


@dataclass(frozen=True)
class YearDays:
    """The non-working weekdays and the worked Saturdays of one year, with their names."""

    days_off: dict[date, str]
    working_saturdays: dict[date, str]
    source: str


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


def statutory_holidays(year: int) -> dict[date, str]:
    """Art. 112(1): the 11 paid holidays, whatever the weekday they fall on."""
    tet = lunar_to_solar(year, 1, 1)
    holidays = {
        date(year, 1, 1): "Tết Dương lịch",
        lunar_to_solar(year, 3, 10): "Giỗ Tổ Hùng Vương",
        date(year, 4, 30): "Ngày Chiến thắng",
        date(year, 5, 1): "Ngày Quốc tế Lao động",
        date(year, 9, 1): "Quốc khánh (ngày liền kề)",
        date(year, 9, 2): "Quốc khánh",
    }
    for offset in range(-1, 4):  # 30 (or 29) Tết through mùng 4
        holidays[tet + timedelta(days=offset)] = "Tết Nguyên đán"
    return holidays


def statutory_year(year: int) -> YearDays:
    """Holidays on weekdays, plus Art. 111(3) nghỉ bù: a holiday on a weekly rest day is made up
    on the next working day."""
    holidays = statutory_holidays(year)
    days_off = {day: name for day, name in holidays.items() if not is_weekend(day)}
    for day in sorted(holidays):
        if is_weekend(day):
            compensatory = day + timedelta(days=1)
            while is_weekend(compensatory) or compensatory in days_off:
                compensatory += timedelta(days=1)
            days_off[compensatory] = f"Nghỉ bù {holidays[day]}"
    return YearDays(days_off=days_off, working_saturdays={}, source="Quy định chung (BLLĐ 2019)")
