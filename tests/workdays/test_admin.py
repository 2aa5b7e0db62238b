"""The admin screens for schedules and office hours (Vietnamese labels; versions kept)."""

import pytest

from chinhquyen.workdays.models import HolidaySchedule, OfficeHours
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.usefixtures("official_schedules")


def test_schedule_screens_open_in_vietnamese(personas: Personas) -> None:
    client = client_for(personas.sysadmin)
    listing = client.get("/quan-tri/workdays/holidayschedule/")
    assert listing.status_code == 200
    assert "lịch nghỉ lễ, tết" in listing.content.decode().lower()
    schedule = HolidaySchedule.objects.get(year=2026)
    page = client.get(f"/quan-tri/workdays/holidayschedule/{schedule.pk}/change/").content.decode()
    assert "Tết Nguyên đán" in page and "Thứ Bảy làm bù" in page
    assert client.get("/quan-tri/workdays/officehours/add/").status_code == 200


def test_copy_edit_and_activate_a_new_version(personas: Personas) -> None:
    client = client_for(personas.sysadmin)
    schedule = HolidaySchedule.objects.get(year=2026)
    client.post(
        "/quan-tri/workdays/holidayschedule/",
        {"action": "copy_as_draft", "_selected_action": [schedule.pk]},
    )
    draft = HolidaySchedule.objects.get(year=2026, version=2)
    assert not draft.is_active and draft.days.count() == 15
    client.post(
        "/quan-tri/workdays/holidayschedule/",
        {"action": "activate", "_selected_action": [draft.pk]},
    )
    assert HolidaySchedule.objects.get(year=2026, is_active=True).version == 2


def test_a_draft_day_on_a_weekend_is_refused(personas: Personas) -> None:
    client = client_for(personas.sysadmin)
    response = client.post(
        "/quan-tri/workdays/holidayschedule/add/",
        {
            "year": "2028",
            "source": "Nháp",
            "note": "",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-0-date": "2028-01-01",  # a Saturday
            "days-0-kind": "day_off",
            "days-0-name": "Tết Dương lịch",
        },
    )
    assert response.status_code == 200
    assert "cuối tuần" in response.content.decode()
    assert not HolidaySchedule.objects.filter(year=2028).exists()


def test_office_hours_out_of_order_are_refused(personas: Personas) -> None:
    client = client_for(personas.sysadmin)
    response = client.post(
        "/quan-tri/workdays/officehours/add/",
        {
            "morning_start": "11:30",
            "morning_end": "07:30",
            "afternoon_start": "13:30",
            "afternoon_end": "17:00",
            "cutoff": "15:00",
        },
    )
    assert response.status_code == 200 and "theo thứ tự" in response.content.decode()
    assert not OfficeHours.objects.exists()
