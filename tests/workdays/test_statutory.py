"""The statutory fallback (Labour Code 2019 Art. 111(3), 112) for years without a schedule."""

from datetime import date

import pytest

from chinhquyen.workdays import calendar
from chinhquyen.workdays.statutory import statutory_year

pytestmark = pytest.mark.django_db


def test_2027_fallback_matches_the_known_facts_of_holidays_md() -> None:
    off = statutory_year(2027).days_off
    assert date(2027, 1, 1) in off
    assert "Giỗ Tổ" in off[date(2027, 4, 16)]
    assert date(2027, 4, 30) in off
    assert off[date(2027, 5, 3)].startswith("Nghỉ bù")  # 1/5 is a Saturday


def test_tet_is_the_last_day_of_the_old_year_through_mung_4_with_nghi_bu() -> None:
    off = statutory_year(2027).days_off  # mùng 1 = Saturday 06/02/2027
    tet_weekdays = [date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9)]
    assert all(off[day] == "Tết Nguyên đán" for day in tet_weekdays)
    assert off[date(2027, 2, 10)].startswith("Nghỉ bù")
    assert off[date(2027, 2, 11)].startswith("Nghỉ bù")
    assert date(2027, 2, 12) not in off


def test_2028_fallback() -> None:
    assert not calendar.is_working_day(date(2028, 4, 4))  # Giỗ Tổ
    assert not calendar.is_working_day(date(2028, 1, 25))  # 30 Tết
    assert calendar.is_working_day(date(2028, 2, 1))
    assert calendar.describe_day(date(2028, 9, 1)).source.startswith("Quy định chung")
