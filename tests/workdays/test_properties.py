"""Properties of the arithmetic (hypothesis), over 2025–2026 with the shipped schedules."""

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhquyen.workdays import calendar
from chinhquyen.workdays.calendar import VIETNAM

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_schedules")]

PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 30), timezones=st.just(VIETNAM)
)
counts = st.integers(min_value=0, max_value=40)


@PROPERTY
@given(start=instants, n=counts, later=st.timedeltas(timedelta(0), timedelta(days=20)))
def test_adding_working_days_is_monotonic_in_the_start(
    start: datetime, n: int, later: timedelta
) -> None:
    assert calendar.add_working_days(start, n) <= calendar.add_working_days(start + later, n)


@PROPERTY
@given(start=instants, n=counts, m=counts)
def test_adding_working_days_is_monotonic_in_the_count(start: datetime, n: int, m: int) -> None:
    assert calendar.add_working_days(start, n) <= calendar.add_working_days(start, n + m)


@PROPERTY
@given(start=instants, n=counts, m=counts)
def test_adding_n_then_m_equals_adding_n_plus_m(start: datetime, n: int, m: int) -> None:
    once = calendar.add_working_days(start, n + m)
    assert calendar.add_working_days(calendar.add_working_days(start, n), m) == once


@PROPERTY
@given(
    start=instants,
    amount=st.integers(min_value=0, max_value=30),
    unit=st.sampled_from(calendar.DurationUnit.values),
)
def test_a_result_never_falls_on_a_non_working_day(start: datetime, amount: int, unit: str) -> None:
    result = calendar.add_duration(start, amount, unit)
    assert calendar.is_working_day(result.astimezone(VIETNAM).date())
    assert result >= start


@PROPERTY
@given(start=instants, minutes=st.integers(min_value=1, max_value=60 * 40))
def test_working_hours_added_are_the_working_time_between(start: datetime, minutes: int) -> None:
    due = calendar.add_working_hours(start, minutes / 60)
    assert calendar.working_time_between(start, due) == timedelta(minutes=minutes)
