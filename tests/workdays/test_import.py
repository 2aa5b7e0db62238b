"""Importing yearly schedules: all-or-nothing with line numbers; versions; idempotent loads."""

from datetime import date

import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.workdays import calendar
from chinhquyen.workdays.actions import (
    do_activate_schedule,
    do_deactivate_schedule,
    do_import_schedule,
    load_official_schedules,
)
from chinhquyen.workdays.models import HolidaySchedule, ScheduleDay
from chinhquyen.workdays.schedule_files import ScheduleFileError

pytestmark = pytest.mark.django_db

BAD_FILE = """# year: 2027
# source: Thử nghiệm
date,kind,name
2027-01-01,day_off,Tết Dương lịch
2027-02-30,day_off,Ngày không có
2027-02-06,day_off,Mùng 1 là thứ Bảy
2027-02-08,working_saturday,Không phải thứ Bảy
2026-12-31,day_off,Sai năm
2027-04-16,holiday,Sai loại
2027-01-01,day_off,Trùng
2027-05-03
"""

GOOD_2027 = """# year: 2027
# source: Thông báo thử nghiệm 2027
date,kind,name
2027-01-01,day_off,Tết Dương lịch
2027-04-16,day_off,Giỗ Tổ Hùng Vương
2027-05-03,day_off,"Nghỉ bù 1/5, thứ Bảy"
"""


def test_a_bad_file_is_rejected_whole_with_every_line_number() -> None:
    with pytest.raises(ScheduleFileError) as caught:
        do_import_schedule(BAD_FILE, acting_user=None)
    lines = [number for number, _text in caught.value.problems]
    assert lines == [5, 6, 7, 8, 9, 10, 11]
    messages = dict(caught.value.problems)
    assert "YYYY-MM-DD" in messages[5]
    assert "cuối tuần" in messages[6]
    assert "không phải thứ Bảy" in messages[7]
    assert "không thuộc năm 2027" in messages[8]
    assert "holiday" in messages[9]
    assert "trùng dòng 4" in messages[10]
    assert "dòng 11" in caught.value.message
    assert not HolidaySchedule.objects.exists()
    assert not ScheduleDay.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="workdays").exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("date,kind,name\n2027-01-01,day_off,x\n", "thiếu năm"),
        ("# year: 2027\ndate,kind,name\n", "thiếu căn cứ"),
        ("# year: 2027\n# source: x\ndate;kind;name\n", "tiêu đề"),
    ],
)
def test_missing_year_source_or_header(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleFileError, match=fragment):
        do_import_schedule(text, acting_user=None)


def test_year_given_twice_must_agree() -> None:
    with pytest.raises(ScheduleFileError, match="khác năm"):
        do_import_schedule(GOOD_2027, acting_user=None, year=2028)


def test_import_replaces_the_statutory_fallback_and_keeps_versions() -> None:
    # 2027 has no notice yet: the statutory rules apply (Tết guess 05/02–09/02 + nghỉ bù)
    assert not calendar.is_working_day(date(2027, 2, 10))
    first = do_import_schedule(GOOD_2027, acting_user=None)
    assert first.changed and first.schedule.version == 1 and first.schedule.is_active
    assert calendar.is_working_day(date(2027, 2, 10))  # the cache saw the new schedule
    assert do_import_schedule(GOOD_2027, acting_user=None).changed is False

    second = do_import_schedule(GOOD_2027 + "2027-11-24,day_off,Ngày Văn hóa\n", acting_user=None)
    assert second.schedule.version == 2
    assert not calendar.is_working_day(date(2027, 11, 24))
    versions = HolidaySchedule.objects.filter(year=2027).order_by("version")
    assert [v.is_active for v in versions] == [False, True]

    do_activate_schedule(versions[0], acting_user=None)
    assert calendar.is_working_day(date(2027, 11, 24))
    assert do_import_schedule(GOOD_2027, acting_user=None).changed is False  # already active

    do_deactivate_schedule(versions[0], acting_user=None)
    assert not calendar.is_working_day(date(2027, 2, 10))  # back to the statutory rules
    assert AuditEvent.objects.filter(action__startswith="workdays.schedule").count() == 4


def test_load_official_schedules_is_idempotent() -> None:
    results = load_official_schedules(acting_user=None)
    assert [r.schedule.year for r in results] == [2025, 2026]
    assert all(r.changed for r in results)
    audit_rows = AuditEvent.objects.count()
    again = load_official_schedules(acting_user=None)
    assert not any(r.changed for r in again)
    assert HolidaySchedule.objects.count() == 2
    assert ScheduleDay.objects.count() == 13 + 15
    assert AuditEvent.objects.count() == audit_rows


def test_shipped_schedules_never_override_an_administrators_version() -> None:
    load_official_schedules(acting_user=None)
    text = (
        "# year: 2026\n# source: Bản quản trị\ndate,kind,name\n"
        "2026-11-24,day_off,Ngày Văn hóa Việt Nam\n"
    )
    do_import_schedule(text, acting_user=None)
    load_official_schedules(acting_user=None)
    active = HolidaySchedule.objects.get(year=2026, is_active=True)
    assert active.source == "Bản quản trị"


def test_a_file_without_any_day_off_is_refused() -> None:
    text = "# year: 2027\n# source: Thử nghiệm\ndate,kind,name\n"
    with pytest.raises(ScheduleFileError) as caught:
        do_import_schedule(text, acting_user=None)
    assert "không có ngày nghỉ" in str(caught.value)
    assert not HolidaySchedule.objects.filter(year=2027).exists()
