"""GET /statistics: a staff member with a role over the agency (an inspector of the province
included) reads its numbers; an officer of another agency, a specialist of a unit below it and a
citizen are refused (the router is mounted here until the project registers it)."""

from __future__ import annotations

from typing import Any

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from chinhquyen.core.apiauth import install_error_handlers
from chinhquyen.reports.api import router
from tests.conftest import Personas, Province
from tests.reports.builders import Step, procedure_version, store, vn


def client() -> tuple[TestClient, str]:
    registered = getattr(router, "api", None)
    if registered is not None:  # once the project registers the router
        return TestClient(registered), "/reports"
    api = NinjaAPI(urls_namespace="reports_test")
    install_error_handlers(api)
    api.add_router("/reports", router)
    return TestClient(api), "/reports"


def get(user: Any, **query: Any) -> Any:
    test_client, prefix = client()
    return test_client.get(f"{prefix}/statistics", query_params=query, user=user)


@pytest.fixture
def one_dossier(province: Province) -> None:
    steps = [
        Step("receive", None, 2, vn("2026-11-02")),
        Step("forward", 2, 4, vn("2026-11-02", "09:00")),
        Step("record_result", 4, 9, vn("2026-11-03")),
    ]
    store(procedure_version(), province.unit_a, steps, vn("2026-11-05", "17:00"))


PERIOD = {"from": "2026-11-01", "to": "2026-12-01"}


@pytest.mark.django_db
def test_officer_and_inspector_read_the_agency(
    province: Province, personas: Personas, one_dossier: None
) -> None:
    for user in (personas.officer_a, personas.inspector):
        answer = get(user, agency_id=province.agency_a.pk, **PERIOD)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert body["received"] == 1 and body["resolved_early"] == 1 and body["on_time_rate"] == 100
        assert (body["from"], body["to"]) == ("2026-11-01", "2026-12-01")


@pytest.mark.django_db
def test_others_are_refused(province: Province, personas: Personas, one_dossier: None) -> None:
    assert get(personas.officer_b, agency_id=province.agency_a.pk, **PERIOD).status_code == 404
    # A role in a unit reaches that unit, not its parent agency.
    assert get(personas.specialist_a, agency_id=province.agency_a.pk, **PERIOD).status_code == 404
    assert get(personas.specialist_a, agency_id=province.unit_a.pk, **PERIOD).status_code == 200
    assert get(personas.citizen, agency_id=province.agency_a.pk, **PERIOD).status_code == 403


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts(province: Province, personas: Personas) -> None:
    answer = get(
        personas.officer_a,
        agency_id=province.agency_a.pk,
        **{"from": "2026-12-01", "to": "2026-11-01"},
    )
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_period"
    assert (
        get(personas.officer_a, agency_id=province.agency_a.pk, **{"from": "x"}).status_code == 422
    )
