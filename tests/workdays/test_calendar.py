"""Table-driven checks over the shipped 2025 and 2026 schedules (ADR 0002)."""

from datetime import date, datetime, time, timedelta

import pytest

from chinhquyen.org.models import Agency
from chinhquyen.workdays import calendar
from chinhquyen.workdays.actions import do_set_office_hours
from tests.factories import AgencyFactory
from tests.workdays.conftest import vn

pytestmark = pytest.mark.usefixtures("official_schedules")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-01-01", False),  # Tết Dương lịch
        ("2025-01-24", True),
        ("2025-01-27", False),  # Tết 2025: 27/01–31/01
        ("2025-01-31", False),
        ("2025-02-03", True),
        ("2025-04-07", False),  # Giỗ Tổ on a Monday
        ("2025-04-26", True),  # Saturday worked, swapped for Friday 02/05
        ("2025-05-02", False),
        ("2025-09-01", False),
        ("2025-09-02", False),  # Quốc khánh
        ("2025-09-03", True),
        ("2026-01-02", False),  # swapped against Saturday 10/01
        ("2026-01-10", True),
        ("2026-01-17", False),  # an ordinary Saturday
        ("2026-02-13", True),
        ("2026-02-16", False),  # Tết 2026: 16/02–20/02
        ("2026-02-17", False),
        ("2026-02-20", False),
        ("2026-02-23", True),
        ("2026-04-26", False),  # Giỗ Tổ on a Sunday …
        ("2026-04-27", False),  # … made up on Monday (Labour Code Art. 111(3))
        ("2026-04-28", True),
        ("2026-08-22", True),  # Saturday worked, swapped for Monday 31/08
        ("2026-08-31", False),
        ("2026-09-01", False),
        ("2026-09-02", False),
        ("2026-09-03", True),
        ("2026-11-24", True),  # Culture Day unconfirmed: not in the shipped table (ADR 0002)
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert calendar.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-02-13 16:00", 1, "2026-02-23 16:00"),  # across Tết 2026
        ("2026-02-13 16:00", 3, "2026-02-25 16:00"),
        ("2025-01-24 09:00", 1, "2025-02-03 09:00"),  # across Tết 2025
        ("2026-01-09 10:00", 1, "2026-01-10 10:00"),  # onto the Saturday worked
        ("2026-04-24 08:00", 1, "2026-04-28 08:00"),  # over the nghỉ bù of Giỗ Tổ
        ("2026-08-28 14:00", 1, "2026-09-03 14:00"),  # over 31/08–02/09
        ("2025-04-25 08:00", 1, "2025-04-26 08:00"),
        ("2025-04-25 08:00", 4, "2025-05-05 08:00"),  # over 30/4, 1/5, 2/5
        ("2026-02-13 18:00", 1, "2026-02-24 07:30"),  # out of hours: from 23/02 07:30
        ("2026-03-02 12:00", 1, "2026-03-03 13:30"),  # at lunch: from 13:30
        ("2026-03-07 09:00", 2, "2026-03-11 07:30"),  # on Saturday: from Monday 07:30
        ("2026-03-02 10:00", 0, "2026-03-02 10:00"),
        ("2026-02-25 16:00", -3, "2026-02-13 16:00"),  # counting back, for warnings
    ],
)
def test_add_working_days(start: str, n: int, due: str) -> None:
    assert calendar.add_working_days(vn(start), n) == vn(due)


def test_other_offsets_are_converted_to_vietnam_time() -> None:
    start = datetime.fromisoformat("2026-02-13T09:00+00:00")  # 16:00 in Hà Nội
    result = calendar.add_working_days(start, 1)
    assert result.isoformat() == "2026-02-23T16:00:00+07:00"


@pytest.mark.parametrize(
    ("received", "transferred"),
    [
        ("2026-03-02 14:59", "2026-03-02"),
        ("2026-03-02 15:00", "2026-03-02"),
        ("2026-03-02 15:01", "2026-03-03"),  # Decree 61/2018 Art. 18: after 15:00
        ("2026-03-02 06:45", "2026-03-02"),
        ("2026-02-13 15:30", "2026-02-23"),  # Friday before Tết
        ("2026-03-07 10:00", "2026-03-09"),  # Saturday
        ("2026-01-09 16:00", "2026-01-10"),  # the next working day is a Saturday worked
    ],
)
def test_transfer_date_after_the_cut_off(received: str, transferred: str) -> None:
    assert calendar.transfer_date(vn(received)) == date.fromisoformat(transferred)


@pytest.mark.parametrize(
    ("instant", "start"),
    [
        ("2026-03-02 10:00", "2026-03-02 10:00"),
        ("2026-03-02 07:00", "2026-03-02 07:30"),
        ("2026-03-02 11:30", "2026-03-02 13:30"),
        ("2026-03-02 17:00", "2026-03-03 07:30"),
        ("2026-02-13 22:00", "2026-02-23 07:30"),
    ],
)
def test_next_working_start(instant: str, start: str) -> None:
    assert calendar.next_working_start(vn(instant)) == vn(start)


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        ("2026-02-13 08:00", "2026-02-23 08:00", 7.5),
        ("2026-03-02 07:30", "2026-03-02 17:00", 7.5),
        ("2026-03-02 11:00", "2026-03-02 14:00", 1.0),
        ("2026-03-07 08:00", "2026-03-08 18:00", 0.0),  # a weekend
        ("2026-03-03 07:30", "2026-03-02 07:30", -7.5),
    ],
)
def test_working_time_between(a: str, b: str, hours: float) -> None:
    assert calendar.working_time_between(vn(a), vn(b)) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2026-02-13 16:00", 2, "2026-02-23 08:30"),
        ("2026-03-02 11:00", 1, "2026-03-02 14:00"),
        ("2026-03-02 07:30", 4, "2026-03-02 11:30"),
        ("2026-03-02 07:30", 7.5, "2026-03-02 17:00"),
        ("2026-03-02 07:30", "0.25", "2026-03-02 07:45"),
    ],
)
def test_add_working_hours(start: str, hours: float, due: str) -> None:
    assert calendar.add_duration(vn(start), hours, "working_hours") == vn(due)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "due"),
    [
        ("2026-02-10 09:00", 7, "days", "2026-02-23 09:00"),  # ends in Tết → next working day
        ("2026-03-02 09:00", 5, "days", "2026-03-09 09:00"),  # ends on Saturday
        ("2026-01-30 09:00", 1, "months", "2026-03-02 09:00"),  # 28/02 (Saturday) → Monday
        ("2025-12-31 09:00", 2, "months", "2026-03-02 09:00"),  # no 31/02: 28/02, a Saturday
        ("2025-12-17 09:00", 2, "months", "2026-02-23 09:00"),  # 17/02 is Tết
        ("2026-03-31 09:00", 1, "months", "2026-05-04 09:00"),  # 30/04, 01/05 off
        ("2026-02-13 16:00", 3, "working_days", "2026-02-25 16:00"),
    ],
)
def test_add_duration(start: str, amount: int, unit: str, due: str) -> None:
    result = calendar.add_duration(vn(start), amount, unit)
    assert result == vn(due)
    assert calendar.is_working_day(result.date())


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        calendar.add_working_days(datetime(2026, 3, 2, 9, 0), 1)
    with pytest.raises(ValueError, match="múi giờ"):
        calendar.working_time_between(vn("2026-03-02 09:00"), datetime(2026, 3, 3, 9, 0))


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        (3, "weeks", "không hợp lệ"),
        (1.5, "working_days", "số nguyên"),
        (-1, "days", "không được âm"),
        (-1, "working_hours", "không âm"),
    ],
)
def test_bad_amounts_and_units_are_refused(amount: float, unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calendar.add_duration(vn("2026-03-02 09:00"), amount, unit)


def test_describe_day_names_the_holiday_and_its_source() -> None:
    info = calendar.describe_day(date(2026, 4, 27))
    assert (info.is_working_day, info.kind) == (False, "day_off")
    assert "Giỗ Tổ" in info.name and "9441/TB-BNV" in info.source
    assert calendar.describe_day(date(2026, 1, 10)).kind == "working_saturday"
    assert calendar.describe_day(date(2026, 1, 11)).kind == "weekend"


def test_office_hours_of_an_agency_reach_its_subtree(db: None) -> None:
    parent = AgencyFactory.create(identifier_code="000.00.05.H99", kind=Agency.Kind.DEPARTMENT)
    child = AgencyFactory.create(
        identifier_code="000.05.05.H99", parent=parent, kind=Agency.Kind.UNIT
    )
    do_set_office_hours(
        acting_user=None,
        agency=parent,
        morning_start=time(7, 0),
        morning_end=time(11, 0),
        afternoon_start=time(13, 0),
        afternoon_end=time(17, 0),
        cutoff=time(16, 0),
    )
    received = vn("2026-03-02 15:30")
    assert calendar.transfer_date(received) == date(2026, 3, 3)
    assert calendar.transfer_date(received, agency=child) == date(2026, 3, 2)
    assert calendar.next_working_start(vn("2026-03-02 12:30"), agency=child) == vn(
        "2026-03-02 13:00"
    )
    day = calendar.working_time_between(
        vn("2026-03-02 00:00"), vn("2026-03-03 00:00"), agency=child
    )
    assert day == timedelta(hours=8)


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(10**9, "working_days"), (10**9, "days"), (10**6, "months"), (10**9, "working_hours")],
)
def test_huge_amounts_are_refused_not_looped(amount: int, unit: str) -> None:
    with pytest.raises(ValueError, match="tối đa"):
        calendar.add_duration(vn("2026-03-02 09:00"), amount, unit)


def test_a_datetime_is_read_as_its_date_in_vietnam() -> None:
    from datetime import UTC

    from chinhquyen.workdays.calendar import is_working_day

    # 2025-12-31 20:00 UTC is 2026-01-01 03:00 in Vietnam: New Year's Day, a day off.
    assert is_working_day(datetime(2025, 12, 31, 20, 0, tzinfo=UTC)) is False
    assert is_working_day(datetime(2026, 1, 1, 10, 0, tzinfo=calendar.VIETNAM)) is False


def test_calendar_days_and_months_count_from_the_instant_itself() -> None:
    """Civil Code Art. 147/148: an evening start is not moved to the next opening first."""
    from chinhquyen.workdays.calendar import add_calendar_days, add_months

    friday_evening = datetime(2026, 7, 31, 18, 0, tzinfo=calendar.VIETNAM)
    assert add_calendar_days(friday_evening, 1) == datetime(
        2026, 8, 3, 18, 0, tzinfo=calendar.VIETNAM
    )
    june_evening = datetime(2026, 6, 19, 18, 0, tzinfo=calendar.VIETNAM)  # a Friday
    # 19/07/2026 is a Sunday: carried to Monday 20/07 (not counted from Monday 22/06).
    assert add_months(june_evening, 1) == datetime(2026, 7, 20, 18, 0, tzinfo=calendar.VIETNAM)
