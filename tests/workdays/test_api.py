"""GET /api/v1/workdays/…: public, JSON, structured 4xx on bad input."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_schedules")]

BASE = "/api/v1/workdays"


def test_add_is_public_and_returns_the_due_instant() -> None:
    query = {"start": "2026-02-13T16:00+07:00", "amount": "3", "unit": "working_days"}
    response = Client().get(f"{BASE}/add", query)
    assert response.status_code == 200
    assert response.json()["result"] == "2026-02-25T16:00:00+07:00"


def test_between() -> None:
    query = {"a": "2026-02-13T08:00+07:00", "b": "2026-02-23T08:00+07:00"}
    body = Client().get(f"{BASE}/between", query).json()
    assert (body["seconds"], body["hours"], body["duration"]) == (27000, 7.5, "PT7H30M")


def test_day() -> None:
    body = Client().get(f"{BASE}/days/2026-02-17").json()
    assert body["is_working_day"] is False
    assert (body["kind"], body["name"]) == ("day_off", "Tết Nguyên đán")


@pytest.mark.parametrize(
    ("url", "query", "status", "code"),
    [
        (
            "/add",
            {"start": "2026-02-13T16:00", "amount": "3", "unit": "working_days"},
            400,
            "naive_instant",
        ),
        (
            "/add",
            {"start": "hôm nay", "amount": "3", "unit": "working_days"},
            400,
            "invalid_instant",
        ),
        (
            "/add",
            {"start": "2026-02-13T16:00+07:00", "amount": "1.5", "unit": "days"},
            400,
            "invalid",
        ),
        ("/add", {"start": "2026-02-13T16:00+07:00", "amount": "3", "unit": "weeks"}, 422, None),
        (
            "/add",
            {"start": "2026-02-13T16:00+07:00", "amount": "1", "unit": "days", "agency": "X"},
            400,
            "unknown_agency",
        ),
        ("/between", {"a": "2026-02-13T16:00+07:00"}, 422, None),
        ("/days/2026-02-30", {}, 422, None),
        ("/days/1800-01-01", {}, 400, "invalid"),
    ],
)
def test_bad_input_is_a_structured_4xx(
    url: str, query: dict, status: int, code: str | None
) -> None:
    response = Client().get(BASE + url, query)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/add", {"start": "0001-01-01T00:00+07:00", "amount": "1", "unit": "days"}),
        ("/add", {"start": "9999-12-31T23:00-07:00", "amount": "1", "unit": "days"}),
        ("/add", {"start": "2026-02-13T16:00+07:00", "amount": "1e20", "unit": "working_hours"}),
        ("/between", {"a": "0001-01-01T00:00+07:00", "b": "2026-01-01T00:00+07:00"}),
        ("/days/0001-01-01", {}),
    ],
)
def test_extreme_input_is_a_clear_400_never_a_500(url: str, query: dict[str, str]) -> None:
    response = Client().get(f"{BASE}{url}", query)
    assert response.status_code == 400, response.content
    assert response.json()["message"]
