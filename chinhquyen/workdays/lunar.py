"""The Vietnamese lunisolar calendar (âm lịch), computed for UTC+7.

Astronomy after J. Meeus, *Astronomical Algorithms* (2nd ed.): mean new moon with the periodic and
planetary corrections of ch. 49, the Sun's apparent longitude of ch. 25 (about 0.01°, i.e. a major
solar term is placed within ~15 minutes), and ΔT after Espenak & Meeus. The calendar rules:

- a month begins on the local day (UTC+7) that contains a new moon;
- month 11 is the month that contains the December solstice (Sun at 270°);
- when 13 new moons begin between two consecutive months 11, the first month after month 11 whose
  local days contain no major solar term (Sun at a multiple of 30°) is the leap month; it repeats
  the number of the month before it.

The UTC offset is a parameter only so that the tests can show why UTC+7 matters (Tết 2030 is
2 February in Vietnam, 3 February on the Chinese calendar at UTC+8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

VIETNAM_UTC_OFFSET = 7.0
FIRST_YEAR = 1900
LAST_YEAR = 2199

_SYNODIC_MONTH = 29.530588861
_JD_OF_ORDINAL_ZERO = 1721424.5  # JD at 00:00 UT of proleptic Gregorian ordinal 0
_NEW_MOON_K0 = 2451550.09766  # Meeus (49.1): JDE of the mean new moon k = 0 (2000-01-06)


@dataclass(frozen=True)
class LunarDate:
    year: int
    month: int
    day: int
    leap: bool = False


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))


def _delta_t_days(year: float) -> float:
    """TT − UT (Espenak & Meeus polynomials); a minute or so, enough to matter near midnight."""
    if year < 1961:
        u = (year - 1820) / 100
        seconds = -20 + 32 * u * u
    elif year < 1986:
        t = year - 1975
        seconds = 45.45 + 1.067 * t - t * t / 260 - t**3 / 718
    elif year < 2005:
        t = year - 2000
        seconds = (
            63.86 + 0.3345 * t - 0.060374 * t**2 + 0.0017275 * t**3 + 0.000651814 * t**4
        ) + 0.00002373599 * t**5
    elif year < 2050:
        t = year - 2000
        seconds = 62.92 + 0.32217 * t + 0.005589 * t * t
    else:
        u = (year - 1820) / 100
        seconds = -20 + 32 * u * u - 0.5628 * (2150 - year)
    return seconds / 86400


_PLANETARY_TERMS = (  # Meeus ch. 49: (coefficient, A0, A per lunation)
    (0.000325, 299.77, 0.107408),
    (0.000165, 251.88, 0.016321),
    (0.000164, 251.83, 26.651886),
    (0.000126, 349.42, 36.412478),
    (0.000110, 84.66, 18.206239),
    (0.000062, 141.74, 53.303771),
    (0.000060, 207.14, 2.453732),
    (0.000056, 154.84, 7.306860),
    (0.000047, 34.52, 27.261239),
    (0.000042, 207.19, 0.121824),
    (0.000040, 291.34, 1.844379),
    (0.000037, 161.72, 24.198154),
    (0.000035, 239.56, 25.513099),
    (0.000023, 331.55, 3.592518),
)


def _new_moon_correction(k: int, t: float) -> float:
    """Meeus ch. 49, the periodic terms for a new moon (days)."""
    e = 1 - 0.002516 * t - 0.0000074 * t * t
    sun = 2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3
    moon = 201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3
    moon -= 0.000000058 * t**4
    arg = 160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3
    arg += 0.000000011 * t**4
    node = 124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3
    m, mp, f = sun, moon, arg
    return (
        -0.40720 * _sin(mp)
        + 0.17241 * e * _sin(m)
        + 0.01608 * _sin(2 * mp)
        + 0.01039 * _sin(2 * f)
        + 0.00739 * e * _sin(mp - m)
        - 0.00514 * e * _sin(mp + m)
        + 0.00208 * e * e * _sin(2 * m)
        - 0.00111 * _sin(mp - 2 * f)
        - 0.00057 * _sin(mp + 2 * f)
        + 0.00056 * e * _sin(2 * mp + m)
        - 0.00042 * _sin(3 * mp)
        + 0.00042 * e * _sin(m + 2 * f)
        + 0.00038 * e * _sin(m - 2 * f)
        - 0.00024 * e * _sin(2 * mp - m)
        - 0.00017 * _sin(node)
        - 0.00007 * _sin(mp + 2 * m)
        + 0.00004 * _sin(2 * mp - 2 * f)
        + 0.00004 * _sin(3 * m)
        + 0.00003 * _sin(mp + m - 2 * f)
        + 0.00003 * _sin(2 * mp + 2 * f)
        - 0.00003 * _sin(mp + m + 2 * f)
        + 0.00003 * _sin(mp - m + 2 * f)
        - 0.00002 * _sin(mp - m - 2 * f)
        - 0.00002 * _sin(3 * mp + m)
        + 0.00002 * _sin(4 * mp)
    )


def new_moon_jde(k: int) -> float:
    """Julian Ephemeris Day (TT) of the k-th new moon counted from 2000-01-06."""
    t = k / 1236.85
    jde = _NEW_MOON_K0 + _SYNODIC_MONTH * k + 0.00015437 * t**2 - 0.000000150 * t**3
    jde += 0.00000000073 * t**4
    jde += _new_moon_correction(k, t)
    a1_drift = -0.009173 * t * t
    for index, (coefficient, start, rate) in enumerate(_PLANETARY_TERMS):
        jde += coefficient * _sin(start + rate * k + (a1_drift if index == 0 else 0.0))
    return jde


def _local_day(jde: float, utc_offset: float) -> date:
    year = 2000 + (jde - 2451545.0) / 365.25
    jd_local = jde - _delta_t_days(year) + utc_offset / 24
    return date.fromordinal(math.floor(jd_local - _JD_OF_ORDINAL_ZERO))


def new_moon_day(k: int, utc_offset: float = VIETNAM_UTC_OFFSET) -> date:
    """The local civil day on which the k-th new moon falls: the first day of a lunar month."""
    return _local_day(new_moon_jde(k), utc_offset)


def sun_longitude(jde: float) -> float:
    """Apparent geocentric longitude of the Sun in degrees [0, 360) (Meeus ch. 25, low accuracy)."""
    t = (jde - 2451545.0) / 36525
    mean_longitude = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    anomaly = 357.52911 + 35999.05029 * t - 0.0001537 * t * t
    centre = (1.914602 - 0.004817 * t - 0.000014 * t * t) * _sin(anomaly)
    centre += (0.019993 - 0.000101 * t) * _sin(2 * anomaly) + 0.000289 * _sin(3 * anomaly)
    node = 125.04 - 1934.136 * t
    apparent = mean_longitude + centre - 0.00569 - 0.00478 * _sin(node)
    return apparent % 360


def _term_at_day_start(day: date, utc_offset: float) -> int:
    """Which 30° sector the Sun is in at local midnight starting `day` (0 = from 0°, 9 = 270°)."""
    jd_ut = day.toordinal() + _JD_OF_ORDINAL_ZERO - utc_offset / 24
    year = day.year + (day.timetuple().tm_yday - 1) / 365.25
    return math.floor(sun_longitude(jd_ut + _delta_t_days(year)) / 30)


def _lunation_on_or_before(day: date, utc_offset: float) -> int:
    """k of the lunar month that contains `day`."""
    jd = day.toordinal() + _JD_OF_ORDINAL_ZERO
    k = math.floor((jd - _NEW_MOON_K0) / _SYNODIC_MONTH) + 1
    while new_moon_day(k, utc_offset) > day:
        k -= 1
    while new_moon_day(k + 1, utc_offset) <= day:
        k += 1
    return k


def _month11_lunation(year: int, utc_offset: float) -> int:
    """k of month 11 of `year`: the lunar month that contains the December solstice."""
    k = _lunation_on_or_before(date(year, 12, 31), utc_offset)
    if _term_at_day_start(new_moon_day(k, utc_offset), utc_offset) >= 9:
        k -= 1  # the Sun passed 270° before this month began: the solstice is in the one before
    return k


def _leap_offset(k11: int, utc_offset: float) -> int | None:
    """Position after month 11 of the leap month of the lunar year starting at k11, if any."""
    if _month11_lunation_next(k11, utc_offset) - k11 != 13:
        return None
    for offset in range(1, 14):
        start = new_moon_day(k11 + offset, utc_offset)
        end = new_moon_day(k11 + offset + 1, utc_offset)
        if _term_at_day_start(start, utc_offset) == _term_at_day_start(end, utc_offset):
            return offset  # no major solar term begins inside this month
    return None


def _month11_lunation_next(k11: int, utc_offset: float) -> int:
    return _month11_lunation(new_moon_day(k11, utc_offset).year + 1, utc_offset)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Lịch âm chỉ tính cho các năm {FIRST_YEAR}–{LAST_YEAR}.")


def solar_to_lunar(day: date, *, utc_offset: float = VIETNAM_UTC_OFFSET) -> LunarDate:
    _check_year(day.year)
    k = _lunation_on_or_before(day, utc_offset)
    k11 = _month11_lunation(day.year, utc_offset)
    if k11 > k:
        k11 = _month11_lunation(day.year - 1, utc_offset)
    offset = k - k11
    leap_offset = _leap_offset(k11, utc_offset)
    is_leap = offset == leap_offset
    if leap_offset is not None and offset >= leap_offset:
        offset -= 1
    month = (10 + offset) % 12 + 1
    lunar_year = new_moon_day(k11, utc_offset).year + (0 if month >= 11 and offset < 2 else 1)
    return LunarDate(lunar_year, month, (day - new_moon_day(k, utc_offset)).days + 1, is_leap)


def lunar_to_solar(
    year: int, month: int, day: int, leap: bool = False, *, utc_offset: float = VIETNAM_UTC_OFFSET
) -> date:
    """The Gregorian date of lunar day/month/year; ValueError when no such lunar day exists."""
    _check_year(year)
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise ValueError("Ngày hoặc tháng âm lịch không hợp lệ.")
    k11 = _month11_lunation(year - 1 if month < 11 else year, utc_offset)
    offset = (month - 11) % 12
    leap_offset = _leap_offset(k11, utc_offset)
    if leap and leap_offset != offset + 1:
        raise ValueError(f"Năm âm lịch {year} không có tháng {month} nhuận.")
    if leap_offset is not None and (leap or offset >= leap_offset):
        offset += 1
    start = new_moon_day(k11 + offset, utc_offset)
    length = (new_moon_day(k11 + offset + 1, utc_offset) - start).days
    if day > length:
        raise ValueError(f"Tháng {month} năm âm lịch {year} chỉ có {length} ngày.")
    return date.fromordinal(start.toordinal() + day - 1)
