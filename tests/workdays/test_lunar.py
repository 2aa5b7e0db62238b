from datetime import date

import pytest

from chinhquyen.workdays.lunar import LunarDate, lunar_to_solar, solar_to_lunar


@pytest.mark.parametrize(
    ("year", "tet", "gio_to"),
    [
        (2025, date(2025, 1, 29), date(2025, 4, 7)),
        (2026, date(2026, 2, 17), date(2026, 4, 26)),
        (2027, date(2027, 2, 6), date(2027, 4, 16)),
        (2028, date(2028, 1, 26), date(2028, 4, 4)),
    ],
)
def test_tet_and_gio_to_match_holidays_md(year: int, tet: date, gio_to: date) -> None:
    assert lunar_to_solar(year, 1, 1) == tet
    assert lunar_to_solar(year, 3, 10) == gio_to
    assert solar_to_lunar(tet) == LunarDate(year, 1, 1)
    assert solar_to_lunar(gio_to) == LunarDate(year, 3, 10)


def test_2030_tet_differs_between_utc7_and_utc8() -> None:
    assert lunar_to_solar(2030, 1, 1) == date(2030, 2, 2)
    assert lunar_to_solar(2030, 1, 1, utc_offset=8) == date(2030, 2, 3)


@pytest.mark.parametrize(
    ("solar", "lunar"),
    [
        (date(1985, 1, 21), LunarDate(1985, 1, 1)),  # Vietnam a month before China (UTC+8)
        (date(1968, 1, 29), LunarDate(1968, 1, 1)),  # Tết Mậu Thân: China 30/1
        (date(2023, 3, 22), LunarDate(2023, 2, 1, leap=True)),
        (date(2020, 5, 23), LunarDate(2020, 4, 1, leap=True)),
        (date(2033, 12, 22), LunarDate(2033, 11, 1, leap=True)),
        (date(2026, 2, 16), LunarDate(2025, 12, 29)),  # 29 Tết: the last day of Ất Tỵ
    ],
)
def test_known_dates(solar: date, lunar: LunarDate) -> None:
    assert solar_to_lunar(solar) == lunar
    assert lunar_to_solar(lunar.year, lunar.month, lunar.day, lunar.leap) == solar


def test_round_trip_over_a_decade() -> None:
    day = date(2020, 1, 1)
    while day < date(2031, 1, 1):
        lunar = solar_to_lunar(day)
        assert lunar_to_solar(lunar.year, lunar.month, lunar.day, lunar.leap) == day
        day = date.fromordinal(day.toordinal() + 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2025, 2, 1, True), "không có tháng 2 nhuận"),
        ((2025, 12, 30), "chỉ có 29 ngày"),
        ((2025, 13, 1), "không hợp lệ"),
        ((1800, 1, 1), "1900"),
    ],
)
def test_impossible_lunar_dates_are_refused(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lunar_to_solar(*args)
