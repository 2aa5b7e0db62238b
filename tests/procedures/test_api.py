"""GET /api/v1/catalogue/…: public search of the procedures in force (folded query, filters,
paging, facets), one procedure as a citizen sees it, the fields; odd input is a 4xx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Province
from tests.factories import AgencyFactory
from tests.portal.catalogue import field, version

pytestmark = pytest.mark.django_db
API = "/api/v1/catalogue"


def _get(path: str, query: dict[str, Any] | None = None) -> Any:
    response = Client().get(f"{API}{path}", query or {})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def catalogue() -> None:
    construction = field("XD", "Xây dựng")
    civil = field("HT", "Hộ tịch")
    field("DD", "Đất đai")
    version("Cấp giấy phép xây dựng", field_of=construction, implementing_level="province")
    version("Đăng ký khai sinh", field_of=civil)
    version("Đăng ký kết hôn", field_of=civil, online_level="none")
    version("Đăng ký khai tử", field_of=civil, status=ProcedureVersion.Status.DRAFT)
    version(
        "Đăng ký giám hộ",
        field_of=civil,
        effective_to=timezone.localdate() - timedelta(days=1),
        effective_from=timezone.localdate() - timedelta(days=90),
    )


def test_search_folds_the_query_and_counts_facets(catalogue: None) -> None:
    body = _get("/procedures", {"q": "DANG KY"})
    assert [item["name"] for item in body["items"]] == ["Đăng ký kết hôn", "Đăng ký khai sinh"]
    assert body["total"] == 2 and body["query"] == "DANG KY"
    assert body["items"][0]["field"] == {"code": "HT", "name": "Hộ tịch"}
    assert {(f["key"], f["count"]) for f in body["fields"]} == {("HT", 2)}
    online = {facet["key"]: facet["count"] for facet in body["online_levels"]}
    assert online == {"full": 1, "none": 1}


def test_filters_and_paging(catalogue: None) -> None:
    assert _get("/procedures", {"field": "XD"})["total"] == 1
    assert _get("/procedures", {"level": "province"})["items"][0]["name"] == (
        "Cấp giấy phép xây dựng"
    )
    assert _get("/procedures", {"online_level": "none"})["total"] == 1
    everything = _get("/procedures")
    assert everything["total"] == 3  # the draft and the expired version are not in force
    pages = [_get("/procedures", {"limit": 1, "offset": n})["items"] for n in range(4)]
    assert [len(page) for page in pages] == [1, 1, 1, 0]
    assert [page[0]["name"] for page in pages[:3]] == [i["name"] for i in everything["items"]]


def test_agency_filter(catalogue: None) -> None:
    agency = AgencyFactory.create(identifier_code="000.00.09.H99", name="Sở Xây dựng")
    version("Cấp chứng chỉ hành nghề", field_of=field("XD", "Xây dựng")).agencies.add(agency)
    body = _get("/procedures", {"agency": agency.pk})
    assert [item["name"] for item in body["items"]] == ["Cấp chứng chỉ hành nghề"]
    assert _get("/procedures", {"agency": 2**63 - 1})["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"level": "district"},
        {"online_level": "4"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"agency": 2**63},
        {"agency": "abc"},
        {"q": "x" * 201},
    ],
)
def test_odd_filters_are_422(catalogue: None, query: dict[str, Any]) -> None:
    response = Client().get(f"{API}/procedures", query)
    assert response.status_code == 422


def test_odd_text_is_searched_not_failed(catalogue: None) -> None:
    assert _get("/procedures", {"q": "' OR 1=1 --"})["total"] == 0
    assert _get("/procedures", {"q": "%khai%"})["total"] == 1
    for q in ("%_", "🙂", "  "):  # no word left: browse everything
        assert _get("/procedures", {"q": q})["total"] == 3


def test_one_procedure_as_a_citizen_sees_it(province: Province) -> None:
    version = h.publish_procedure(province.agency_a)
    body = _get(f"/procedures/{h.BIRTH_CODE}")
    assert body["national_code"] == h.BIRTH_CODE and body["version"] == version.version
    assert body["name"] == "Đăng ký khai sinh" and body["can_file_online"] is True
    assert body["agencies"] == [
        {
            "id": province.agency_a.pk,
            "identifier_code": province.agency_a.identifier_code,
            "name": province.agency_a.name,
        }
    ]
    assert body["time_limit"]["unit"] == "working_days"
    assert body["time_limit"]["unit_label"] == "Ngày làm việc"
    assert [option["key"] for option in body["delivery_options"]] == ["counter", "post", "online"]
    assert body["delivery_options"][1]["label"] == "Nhận qua dịch vụ bưu chính công ích"
    ids = list(version.documents.order_by("order").values_list("pk", flat=True))
    assert [document["id"] for document in body["documents"]] == ids
    late = next(fee for fee in body["fees"] if fee["amount"] == 8000)
    assert late["conditional"] is True and late["kind"] == "fee"
    assert [group["key"] for group in body["eform"]["groups"]] == ["nguoi_yeu_cau", "tre", "cha_me"]


@pytest.mark.parametrize("code", ["1.000000.000.00.00.H99", "x" * 200, "ma so"])
def test_unknown_procedure_is_a_structured_404(catalogue: None, code: str) -> None:
    response = Client().get(f"{API}/procedures/{code}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["message"]


def test_a_draft_version_is_not_shown(catalogue: None) -> None:
    draft = ProcedureVersion.objects.get(name="Đăng ký khai tử")
    response = Client().get(f"{API}/procedures/{draft.procedure.national_code}")
    assert response.status_code == 404


def test_fields_with_their_counts(catalogue: None) -> None:
    assert _get("/fields") == [
        {"code": "DD", "name": "Đất đai", "procedure_count": 0},
        {"code": "HT", "name": "Hộ tịch", "procedure_count": 2},
        {"code": "XD", "name": "Xây dựng", "procedure_count": 1},
    ]
