"""Catalogue search: folding, filters, ranking, what is in force, and odd input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhquyen.procedures.models import ProcedureVersion
from chinhquyen.procedures.search import (
    MAX_QUERY_LENGTH,
    catalogue_agencies,
    catalogue_version,
    query_terms,
    search_catalogue,
)
from tests.factories import AgencyFactory
from tests.portal.catalogue import field, version

pytestmark = pytest.mark.django_db


def names(query: str, **filters: object) -> list[str]:
    return [hit.name for hit in search_catalogue(query, **filters).hits]  # type: ignore[arg-type]


@pytest.fixture
def catalogue() -> None:
    construction = field("XD", "Xây dựng")
    civil = field("HT", "Hộ tịch")
    version(
        "Cấp giấy phép xây dựng",
        field_of=construction,
        implementing_level="province",
        online_level="partial",
    )
    version("Đăng ký khai sinh", field_of=civil)
    version("Đăng ký kết hôn", field_of=civil, online_level="none")
    version("Cấp bản sao trích lục hộ tịch", field_of=civil)


@pytest.mark.parametrize("query", ["giay phep xay dung", "GIẤY PHÉP", "Giấy Phép Xây Dựng"])
def test_issue_examples_find_the_building_permit(catalogue: None, query: str) -> None:
    assert names(query) == ["Cấp giấy phép xây dựng"]


@pytest.mark.parametrize("query", ["đăng ký", "dang ky", "ĐĂNG KÝ", "Dang Ky"])
def test_d_stroke_folds_to_d(catalogue: None, query: str) -> None:
    assert names(query) == ["Đăng ký kết hôn", "Đăng ký khai sinh"]


def test_every_word_must_match(catalogue: None) -> None:
    assert names("dang ky khai sinh") == ["Đăng ký khai sinh"]
    assert names("dang ky xay dung") == []


def test_field_name_is_searched_too(catalogue: None) -> None:
    assert "Đăng ký khai sinh" in names("ho tich")


def test_filters(catalogue: None) -> None:
    assert names("", field_code="XD") == ["Cấp giấy phép xây dựng"]
    assert names("cap", implementing_level="commune") == ["Cấp bản sao trích lục hộ tịch"]
    assert names("dang ky", online_level="none") == ["Đăng ký kết hôn"]
    assert names("", field_code="KHONG_CO") == []


def test_agency_and_audience_filters(catalogue: None) -> None:
    agency = AgencyFactory.create(name="Sở Xây dựng")
    permit = ProcedureVersion.objects.get(name="Cấp giấy phép xây dựng")
    permit.agencies.add(agency)
    ProcedureVersion.objects.filter(pk=permit.pk).update(audiences=["citizen", "enterprise"])
    assert names("", agency_id=agency.pk) == ["Cấp giấy phép xây dựng"]
    assert names("", audience="enterprise") == ["Cấp giấy phép xây dựng"]
    assert list(catalogue_agencies()) == [agency]


def test_facets_count_with_the_other_filters(catalogue: None) -> None:
    result = search_catalogue("", field_code="HT")
    assert {(f.key, f.count) for f in result.fields} == {("HT", 3), ("XD", 1)}
    assert {(f.key, f.count) for f in result.online_levels} == {("full", 2), ("none", 1)}
    assert {(f.key, f.label) for f in result.implementing_levels} == {("commune", "Cấp xã")}
    assert result.total == 3


def test_ranking_phrase_then_all_words_in_name_then_elsewhere() -> None:
    civil = field("HT", "Hộ tịch")
    extra = field("KS", "Khai sinh bổ sung")
    version("Cấp thẻ", field_of=extra)  # the words only in the field name
    version("Khai báo tạm trú cho trẻ sơ sinh", field_of=civil)  # both words, apart
    version("Xác nhận tình trạng hôn nhân", field_of=extra)
    version("Đăng ký lại khai sinh", field_of=civil)  # the phrase
    version("Bản sao giấy khai sinh", field_of=civil)  # the phrase
    assert names("khai sinh") == [
        "Đăng ký lại khai sinh",  # the phrase at character 12
        "Bản sao giấy khai sinh",  # at 15
        "Khai báo tạm trú cho trẻ sơ sinh",
        "Cấp thẻ",
        "Xác nhận tình trạng hôn nhân",
    ]


def test_within_a_rank_an_earlier_match_comes_first() -> None:
    version("Cấp điều chỉnh giấy phép xây dựng")
    version("Cấp giấy phép xây dựng mới")
    assert names("giay phep xay dung") == [
        "Cấp giấy phép xây dựng mới",
        "Cấp điều chỉnh giấy phép xây dựng",
    ]


def test_drafts_expired_and_future_versions_are_not_shown() -> None:
    today = timezone.localdate()
    version("Thủ tục nháp", status=ProcedureVersion.Status.DRAFT)
    version(
        "Thủ tục hết hiệu lực",
        effective_from=today - timedelta(days=100),
        effective_to=today - timedelta(days=1),
    )
    version("Thủ tục từ ngày mai", effective_from=today + timedelta(days=1))
    version("Thủ tục hết hạn hôm nay", effective_to=today)
    assert names("thu tuc") == ["Thủ tục hết hạn hôm nay"]
    tomorrow = today + timedelta(days=1)
    assert names("thu tuc", on_date=tomorrow) == ["Thủ tục từ ngày mai"]


def test_one_version_per_procedure_the_one_in_force() -> None:
    today = timezone.localdate()
    version(
        "Đăng ký khai sinh (cũ)",
        national_code="1.001193.000.00.00.H38",
        effective_from=today - timedelta(days=400),
        effective_to=today - timedelta(days=1),
    )
    version("Đăng ký khai sinh", national_code="1.001193.000.00.00.H38", number=2)
    version(
        "Đăng ký khai sinh (dự thảo)",
        national_code="1.001193.000.00.00.H38",
        number=3,
        status=ProcedureVersion.Status.DRAFT,
    )
    assert names("khai sinh") == ["Đăng ký khai sinh"]
    found = catalogue_version("1.001193.000.00.00.H38")
    assert found is not None
    assert found.version == 2
    assert catalogue_version("1.999999.000.00.00.H38") is None


def test_overlapping_published_versions_show_the_newest() -> None:
    version("Cấp phép cũ", national_code="2.000001.000.00.00.H99")
    version("Cấp phép mới", national_code="2.000001.000.00.00.H99", number=2)
    assert names("cap phep") == ["Cấp phép mới"]


def test_pagination_and_limit(catalogue: None) -> None:
    first = search_catalogue("", limit=2)
    second = search_catalogue("", limit=2, offset=2)
    assert first.total == second.total == 4
    assert len(first.hits) == len(second.hits) == 2
    assert {h.pk for h in first.hits}.isdisjoint({h.pk for h in second.hits})
    assert search_catalogue("", limit=0).hits == []


@pytest.mark.parametrize("query", ["", "   ", "?!.,;-–—()[]", "%", "_", "\\"])
def test_punctuation_only_browses_everything(catalogue: None, query: str) -> None:
    result = search_catalogue(query)
    assert result.terms == []
    assert result.total == 4


def test_punctuation_separates_words_and_sql_is_just_text(catalogue: None) -> None:
    assert names("'; DROP TABLE x;--") == []
    assert names("giấy-phép, (xây dựng)") == ["Cấp giấy phép xây dựng"]
    assert query_terms("giấy-phép, xây_dựng!") == ["giay", "phep", "xay", "dung"]


def test_long_query_is_truncated(catalogue: None) -> None:
    result = search_catalogue("giấy phép " * 100)
    assert len(result.query) == MAX_QUERY_LENGTH
    assert result.terms == ["giay", "phep"]
    assert [hit.name for hit in result.hits] == ["Cấp giấy phép xây dựng"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300), field_code=st.none() | st.text(max_size=50))
def test_any_input_never_raises(catalogue: None, query: str, field_code: str | None) -> None:
    result = search_catalogue(query, field_code=field_code, limit=5)
    assert result.total >= len(result.hits)
    assert len(result.terms) <= 12
