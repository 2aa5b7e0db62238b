"""GET /api/v1/tracking/{code}?check=NNNN: public, the state and steps only, one 404 for a wrong
code and a wrong check, and the same failed-lookup limit per address as the tracking page (one
counter in the database for both)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from chinhquyen.dossiers.api import json_time
from chinhquyen.dossiers.models import Dossier
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.api.clients import api_client
from tests.conftest import Personas, Province

API = "/api/v1/tracking"


@pytest.fixture
def dossier(province: Province, personas: Personas) -> Dossier:
    load_default_templates()
    return h.submitted_dossier(personas.citizen, h.publish_procedure(province.agency_a))


def test_phone_or_id_digits_show_the_state_without_personal_data(dossier: Dossier) -> None:
    client = api_client()
    for check in (h.PHONE[-4:], h.PERSONAL_ID[-4:]):
        response = client.get(f"{API}/{dossier.code.lower()}", {"check": check})
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == dossier.code and body["status_label"] == "Mới đăng ký"
        assert [step["label"] for step in body["steps"]] == ["Nộp hồ sơ trực tuyến"]
        assert h.PHONE not in response.content.decode()
        assert "applicant" not in str(body)


def test_wrong_code_and_wrong_check_look_the_same(dossier: Dossier) -> None:
    client = api_client()
    wrong_check = client.get(f"{API}/{dossier.code}", {"check": "0000"})
    wrong_code = client.get(f"{API}/000.00.01.H99-000101-0001", {"check": h.PHONE[-4:]})
    no_check = client.get(f"{API}/{dossier.code}")
    assert wrong_check.status_code == wrong_code.status_code == no_check.status_code == 404
    assert wrong_check.json() == wrong_code.json() == no_check.json()
    assert wrong_check.json()["code"] == "not_found"


def test_failed_lookups_share_the_pages_limit(dossier: Dossier, settings: Any) -> None:
    settings.TRACKING_MAX_FAILURES_PER_ADDRESS = 3
    client = api_client()
    for _ in range(2):
        assert client.get(f"{API}/{dossier.code}", {"check": "0000"}).status_code == 404
    page = client.get(reverse("tracking:lookup"), {"ma": dossier.code, "kiem_tra": "1111"})
    assert page.status_code == 200  # the page's own failure: the third one
    refused = client.get(f"{API}/{dossier.code}", {"check": h.PHONE[-4:]})
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_lookups"
    assert 0 < int(refused["Retry-After"]) <= settings.TRACKING_FAILURE_WINDOW_MINUTES * 60
    right = {"ma": dossier.code, "kiem_tra": h.PHONE[-4:]}
    assert client.get(reverse("tracking:lookup"), right).status_code == 429


def test_a_successful_lookup_does_not_count(dossier: Dossier, settings: Any) -> None:
    settings.TRACKING_MAX_FAILURES_PER_ADDRESS = 2
    client = api_client()
    for _ in range(5):
        assert client.get(f"{API}/{dossier.code}", {"check": h.PHONE[-4:]}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["a" * 81, "ma so", " "])
def test_odd_codes_are_404(code: str) -> None:
    assert api_client().get(f"{API}/{code}", {"check": "1234"}).status_code == 404


def test_the_answer_is_exactly_the_documented_tracking_document(dossier: Dossier) -> None:
    """The view writes the answer without validating it (cost): it must keep TrackingOut's
    shape, every field and nothing else."""
    from chinhquyen.dossiers.api_schemas import TrackingOut

    body = api_client().get(f"{API}/{dossier.code}", {"check": h.PHONE[-4:]}).json()
    parsed = TrackingOut.model_validate(body)  # types and required fields
    assert parsed.code == dossier.code  # times: JSON carries milliseconds
    assert abs((parsed.submitted_at - dossier.submitted_at).total_seconds()) < 0.001
    assert set(body) == set(TrackingOut.model_fields)
    assert set(body["steps"][0]) == {"at", "label", "agency"}


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 24, 2, 3, 4, tzinfo=UTC),
        datetime(2026, 11, 24, 2, 3, 4, 567891, tzinfo=UTC),
        datetime(2026, 11, 24, 9, 3, 4, 5, tzinfo=timezone(timedelta(hours=7))),
    ],
)
def test_times_are_written_as_djangos_encoder_writes_them(moment: datetime) -> None:
    assert json_time(moment) == json.loads(json.dumps(moment, cls=DjangoJSONEncoder))
    assert json_time(None) is None


def test_the_check_parameter_is_documented_as_ninja_would_and_enforced(dossier: Dossier) -> None:
    """`check` is read in the view (speed: no second parameter model); its OpenAPI entry is the
    one django-ninja writes for the declared `Query`, and too long a value is the same 422."""
    from ninja import NinjaAPI, Query

    from chinhquyen.dossiers import api as tracking_api

    probe = NinjaAPI(urls_namespace="probe-check-parameter")

    @probe.get("/{code}")
    def declared(
        request: Any,
        code: str,
        check: str = Query(
            "",
            max_length=tracking_api.CHECK_MAX_LENGTH,
            description=tracking_api._CHECK_DESCRIPTION,
        ),
    ) -> None: ...

    [written] = [
        parameter
        for parameter in probe.get_openapi_schema(path_prefix="")["paths"]["/{code}"]["get"][
            "parameters"
        ]
        if parameter["name"] == "check"
    ]
    assert written == tracking_api._CHECK_PARAMETER
    client = api_client()
    too_long = client.get(f"{API}/{dossier.code}", {"check": "1" * 21})
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "invalid" and too_long.json()["field"] == "check"
    assert client.get(f"{API}/{dossier.code}", {"check": "1" * 20}).status_code == 404
