"""`manage.py workdays …`: output formats and clear refusals."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from chinhquyen.workdays.models import HolidaySchedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_schedules")]


def run(*args: str) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (("2026-02-13T16:00+07:00", "1", "working_days"), "2026-02-23T16:00:00+07:00"),
        (("2026-02-13T16:00+07:00", "3", "working_days"), "2026-02-25T16:00:00+07:00"),
        (("2026-02-13T09:00Z", "3", "working_days"), "2026-02-25T16:00:00+07:00"),
        (("2026-02-13T16:00+07:00", "2", "working_hours"), "2026-02-23T08:30:00+07:00"),
        (("2026-02-10T09:00+07:00", "7", "days"), "2026-02-23T09:00:00+07:00"),
        (("2026-01-30T09:00+07:00", "1", "months"), "2026-03-02T09:00:00+07:00"),
    ],
)
def test_add_prints_the_instant_in_iso_8601_with_its_offset(args: tuple, printed: str) -> None:
    assert run("add", *args) == printed


def test_between_prints_the_working_time() -> None:
    printed = run("between", "2026-02-13T08:00+07:00", "2026-02-23T08:00+07:00")
    assert printed == "PT7H30M (7,5 giờ làm việc)"


def test_is_working_day() -> None:
    assert run("is-working-day", "2026-04-27").startswith("2026-04-27: ngày nghỉ (Nghỉ bù Giỗ Tổ")
    assert run("is-working-day", "2026-01-10").startswith("2026-01-10: ngày làm việc")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-02-13T16:00", "3", "working_days"), "múi giờ"),
        (("add", "13/02/2026", "3", "working_days"), "ISO 8601"),
        (("add", "2026-02-13T16:00+07:00", "ba", "working_days"), "không hợp lệ"),
        (("add", "2026-02-13T16:00+07:00", "3", "weeks"), "Đơn vị"),
        (("add", "2026-02-13T16:00+07:00", "1.5", "days"), "số nguyên"),
        (("add", "2026-02-13T16:00+07:00", "1", "days", "--agency", "X.Y"), "Không có cơ quan"),
        (("between", "2026-02-13T16:00+07:00", "x"), "ISO 8601"),
        (("is-working-day", "2026-13-01"), "YYYY-MM-DD"),
        (("import", "/nonexistent.csv"), "Không đọc được"),
    ],
)
def test_bad_arguments_give_a_clear_message(args: tuple, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_import_reports_every_bad_line_and_saves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "2027.csv"
    bad.write_text(
        "# year: 2027\n# source: x\ndate,kind,name\n2027-02-06,day_off,a\n2027-13-01,day_off,b\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        run("import", str(bad))
    assert "dòng 4:" in str(caught.value) and "dòng 5:" in str(caught.value)
    assert not HolidaySchedule.objects.filter(year=2027).exists()


def test_import_the_shipped_file_again_changes_nothing() -> None:
    printed = run("import", "chinhquyen/workdays/data/2026.csv")
    assert printed == "Lịch 2026 phiên bản 1 (đang áp dụng): không thay đổi."


def test_load_official_is_idempotent_for_deploys() -> None:
    # The module's fixture has loaded them once already: a deploy running it again changes nothing.
    count = HolidaySchedule.objects.count()
    again = StringIO()
    call_command("workdays", "load-official", stdout=again)
    assert again.getvalue().count("không thay đổi") == 2
    assert HolidaySchedule.objects.count() == count >= 2
