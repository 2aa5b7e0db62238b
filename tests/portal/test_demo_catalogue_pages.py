"""The demo catalogue (procedures/data/catalogue.json, loaded by its import action) through the
public pages: the issue's examples, every page renders, every online service within reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.core.demo.loader import load_demo
from chinhquyen.procedures.models import OnlineLevel, ProcedureVersion
from chinhquyen.procedures.search import search_catalogue, versions_in_force
from tests.portal.test_reachability import MAX_CLICKS, START, reachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: Any) -> None:
    """The demo province (its departments are the competent agencies) with its catalogue."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()
    if not ProcedureVersion.objects.exists():
        pytest.skip("no demo catalogue")


@pytest.mark.parametrize("query", ["giay phep xay dung", "Cấp giấy phép xây dựng"])
def test_issue_examples_on_the_demo(demo: None, query: str) -> None:
    first = search_catalogue(query).hits[0]
    assert first.name.startswith("Cấp giấy phép xây dựng")


def test_uppercase_with_diacritics_on_the_demo(demo: None) -> None:
    found = [hit.name for hit in search_catalogue("GIẤY PHÉP").hits]
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in found
    assert all("giấy phép" in name.lower() for name in found[:5])


@pytest.mark.parametrize("query", ["đăng ký khai sinh", "dang ky khai sinh", "DANG KY KHAI SINH"])
def test_birth_registration_first(demo: None, query: str) -> None:
    assert search_catalogue(query).hits[0].name == "Đăng ký khai sinh"


def test_every_procedure_page_renders_and_online_ones_are_in_reach(demo: None) -> None:
    client = Client()
    in_force = list(versions_in_force(timezone.localdate()).select_related("procedure"))
    assert in_force
    for version in in_force:
        response = client.get(f"/dich-vu-cong/thu-tuc/{version.procedure.national_code}/")
        assert response.status_code == 200, version.procedure.national_code
    online = {
        f"/dich-vu-cong/thu-tuc/{v.procedure.national_code}/"
        for v in in_force
        if v.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    }
    assert online - reachable(client, START, MAX_CLICKS).keys() == set()


def test_every_online_service_is_within_three_clicks_of_the_home_page(demo: None) -> None:
    """ISSUE 3 §2: from `/`, as a citizen clicks, every online procedure page is ≤ 3 clicks."""
    in_force = versions_in_force(timezone.localdate()).select_related("procedure")
    online = {
        f"/dich-vu-cong/thu-tuc/{v.procedure.national_code}/"
        for v in in_force
        if v.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    }
    assert len(online) >= 30
    assert online - reachable(Client(), "/", 3).keys() == set()
