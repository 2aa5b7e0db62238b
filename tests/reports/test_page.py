"""The staff statistics page (/can-bo/thong-ke/, issue #5 §8): the numbers shown are those of
`agency_statistics` and of the API, each number's link lists exactly the dossiers the reference
recomputation counts, an officer reaches only their own agency (an inspector their subtree), and
bad periods are refused with a Vietnamese message. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from chinhquyen.org.models import Agency, Role, User
from chinhquyen.reports import views
from chinhquyen.reports.statistics import MEASURES, agency_statistics, dossiers_behind
from tests.conftest import client_for
from tests.factories import staff_with_role
from tests.reports.builders import Step, store, vn
from tests.reports.conftest import Province
from tests.reports.reference import reference_statistics
from tests.reports.test_statistics_crafted import crafted

NOVEMBER = (vn("2026-11-01", "00:00"), vn("2026-12-01", "00:00"))
PERIOD = {"tu": "2026-11-01", "den": "2026-11-30"}
PAGE = "/can-bo/thong-ke/"


def at(agency: Agency) -> dict[str, str]:
    """The page's query for `agency` over November."""
    return {"co_quan": str(agency.pk), **PERIOD}


class People:
    def __init__(self, p: Province) -> None:
        self.officer_a = staff_with_role(p.commune_a, Role.ONE_STOP_OFFICER, username="tk_a")
        self.officer_b = staff_with_role(p.commune_b, Role.ONE_STOP_OFFICER, username="tk_b")
        self.inspector = staff_with_role(p.root, Role.INSPECTOR, username="tk_thanhtra")


@pytest.fixture
def world(stats_province: Province) -> People:
    """The hand-checked month of the crafted test, plus one dossier the province handles itself
    (the "directly" row) and one received in October and still open (carried over)."""
    crafted(stats_province)
    p = stats_province
    steps = [
        Step("receive", None, 2, vn("2026-11-03")),
        Step("record_result", 2, 9, vn("2026-11-04")),
    ]
    store(p.version, p.root, steps, vn("2026-11-05", "17:00"))
    store(p.version, p.commune_b, [Step("receive", None, 2, vn("2026-10-20"))], vn("2026-10-27"))
    return People(p)


def numbers_of(cells: list[tuple[int, str, str]]) -> dict[str, int]:
    return {key: number for (key, _), (number, *_) in zip(views.COLUMNS, cells, strict=True)}


def expected(agency: Agency, *, subtree: bool = True) -> dict[str, int]:
    return asdict(agency_statistics(agency, *NOVEMBER, subtree=subtree))


@pytest.mark.django_db
def test_the_numbers_are_those_of_the_statistics_and_the_api(
    stats_province: Province, world: People
) -> None:
    p = stats_province
    client = client_for(world.inspector)
    response = client.get(PAGE, at(p.root))
    assert response.status_code == 200
    total, rows = response.context["total"], response.context["rows"]
    assert numbers_of(total["cells"]) == expected(p.root)
    assert total["rate"] == agency_statistics(p.root, *NOVEMBER).on_time_rate
    shown = {(row["agency"].pk, row["subtree"]): numbers_of(row["cells"]) for row in rows}
    assert shown == {
        (p.root.pk, False): expected(p.root, subtree=False),
        (p.commune_a.pk, True): expected(p.commune_a),
        (p.commune_b.pk, True): expected(p.commune_b),
    }
    for measure in MEASURES:  # the rows add up to the total
        assert sum(numbers[measure] for numbers in shown.values()) == total_of(total, measure)
    assert expected(p.root)["resolved"] > 0 and expected(p.root, subtree=False)["resolved"] == 1
    assert expected(p.commune_b)["carried_over"] == 1

    api = client.get(
        "/api/v1/reports/statistics",
        {"agency_id": str(p.root.pk), "from": "2026-11-01", "to": "2026-12-01"},
    )
    assert api.status_code == 200
    body = api.json()
    assert {measure: body[measure] for measure in MEASURES} == numbers_of(total["cells"])
    assert body["on_time_rate"] == total["rate"]
    html = response.content.decode()
    resolved = expected(p.root)["resolved"]
    assert f">{resolved}</a>" in html and "Tải bảng thống kê (XLSX)" in html
    assert f'aria-label="{resolved} hồ sơ Đã giải quyết: UBND tỉnh Thống kê"' in html


def total_of(row: dict[str, Any], measure: str) -> int:
    return numbers_of(row["cells"])[measure]


def listed(client: Client, link: str) -> list[str]:
    """Every code on every page of a drill-down, following its "Trang sau" links."""
    codes: list[str] = []
    while link:
        response = client.get(link)
        assert response.status_code == 200, link
        codes += [row["d"].code for row in response.context["rows"]]
        following = re.search(r'href="(\?[^"]*)">Trang sau', response.content.decode())
        link = link.split("?")[0] + following.group(1).replace("&amp;", "&") if following else ""
    return codes


@pytest.mark.django_db
def test_each_link_lists_exactly_the_dossiers_counted(
    stats_province: Province, world: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # several pages for the bigger numbers
    p = stats_province
    client = client_for(world.inspector)
    page = client.get(PAGE, at(p.root))
    now = timezone.now() + timedelta(seconds=5)  # nothing happens in between
    reference = {agency.pk: reference_statistics(agency, *NOVEMBER, now=now) for agency in
                 (p.root, p.commune_a, p.commune_b)}  # fmt: skip
    direct = {
        measure: ids - reference[p.commune_a.pk][measure] - reference[p.commune_b.pk][measure]
        for measure, ids in reference[p.root.pk].items()
    }
    from chinhquyen.dossiers.models import Dossier

    code_of = dict(Dossier.objects.values_list("pk", "code"))
    checked = 0
    for row in [*page.context["rows"], page.context["total"]]:
        counted = reference[row["agency"].pk] if row["subtree"] else direct
        for (measure, _), (number, link, _) in zip(views.COLUMNS, row["cells"], strict=True):
            codes = listed(client, link)
            assert len(codes) == len(set(codes)) == number, (row["label"], measure)
            assert set(codes) == {code_of[pk] for pk in counted.get(measure, set())}, measure
            checked += number
    assert checked > 40


@pytest.mark.django_db
def test_each_dossier_shows_its_verdict(stats_province: Province, world: People) -> None:
    p = stats_province
    client = client_for(world.officer_a)
    for measure, verdict in (
        ("resolved_late", "Giải quyết quá hạn"),
        ("resolved_early", "Giải quyết trước hạn"),
        ("in_progress_overdue", "Đang giải quyết, quá hạn"),
    ):
        response = client.get(f"/can-bo/thong-ke/{p.commune_a.pk}/ho-so/{measure}/", PERIOD)
        rows = response.context["rows"]
        expected_ids = set(
            dossiers_behind(p.commune_a, *NOVEMBER, measure).values_list("pk", flat=True)
        )
        assert {row["d"].pk for row in rows} == expected_ids and rows
        assert all(row["verdict"].startswith(verdict) for row in rows), measure
        html = response.content.decode()
        assert all(row["d"].code in html and row["d"].applicant_name in html for row in rows)


@pytest.mark.django_db
def test_an_officer_reaches_only_their_own_agency(stats_province: Province, world: People) -> None:
    p = stats_province
    b = client_for(world.officer_b)
    own = b.get(PAGE, PERIOD)  # no agency asked: their own
    assert own.status_code == 200 and own.context["agency"] == p.commune_b
    assert b.get(PAGE, at(p.commune_a)).status_code == 404
    assert b.get(PAGE, at(p.root)).status_code == 404
    assert b.get(f"/can-bo/thong-ke/{p.commune_a.pk}/ho-so/received/", PERIOD).status_code == 404
    assert b.get(f"/can-bo/thong-ke/{p.commune_a.pk}/bang.xlsx", PERIOD).status_code == 404
    assert [a.pk for a in own.context["choices"]] == [p.commune_b.pk]
    # The inspector of the province reads every commune and the province.
    inspector = client_for(world.inspector)
    for agency in (p.root, p.commune_a, p.commune_b):
        assert inspector.get(PAGE, at(agency)).status_code == 200
    citizen = client_for(User.objects.create(username="cd_tk", kind=User.Kind.CITIZEN))
    assert citizen.get(PAGE, PERIOD).status_code == 403
    assert Client().get(PAGE).status_code == 302


BAD_PERIODS = [
    ({"tu": "2026-11-20", "den": "2026-11-01"}, "Đến ngày phải trùng hoặc sau từ ngày."),
    ({"tu": "2025-01-01", "den": "2026-06-30"}, "Kỳ thống kê dài tối đa 366 ngày"),
    ({"tu": "31/02/2026", "den": "2026-11-30"}, "Từ ngày không hợp lệ"),
    ({"tu": "2026-11-01", "den": "hôm qua"}, "Đến ngày không hợp lệ"),
    ({"tu": "2026-11-01"}, "Nhập đủ cả từ ngày và đến ngày"),
    ({"den": "2026-11-01"}, "Nhập đủ cả từ ngày và đến ngày"),
    ({"tu": "1999-12-31", "den": "2000-01-05"}, "Từ ngày phải từ 01/01/2000"),
    ({"tu": "2999-01-01", "den": "2999-01-02"}, "Từ ngày không được sau ngày hôm nay."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "message"), BAD_PERIODS)
def test_a_bad_period_is_refused_in_vietnamese(
    stats_province: Province, world: People, query: dict[str, str], message: str
) -> None:
    client = client_for(world.officer_a)
    a = stats_province.commune_a.pk
    page = client.get(PAGE, query)
    assert page.status_code == 400 and message in page.content.decode()
    assert "total" not in page.context and "<tfoot>" not in page.content.decode()
    assert (page.context["tu"], page.context["den"]) == (query.get("tu", ""), query.get("den", ""))
    drill = client.get(f"/can-bo/thong-ke/{a}/ho-so/received/", query)
    assert drill.status_code == 400 and message in drill.content.decode()
    sheet = client.get(f"/can-bo/thong-ke/{a}/bang.xlsx", query)
    assert sheet.status_code == 400 and message in sheet.content.decode()


@pytest.mark.django_db
def test_unknown_agency_or_measure_is_not_found(stats_province: Province, world: People) -> None:
    client = client_for(world.inspector)
    a = stats_province.commune_a.pk
    for agency in ("abc", "-1", "99999999", "1" * 40):
        assert client.get(PAGE, {"co_quan": agency, **PERIOD}).status_code == 404, agency
    assert client.get(f"/can-bo/thong-ke/{a}/ho-so/khong_co/", PERIOD).status_code == 404
    assert client.get(f"/can-bo/thong-ke/{a}/ho-so/received/", PERIOD).status_code == 200
    # A page number past the end shows the last page, a bad one the first.
    for trang in ("9999", "x"):
        response = client.get(f"/can-bo/thong-ke/{a}/ho-so/received/", {**PERIOD, "trang": trang})
        assert response.status_code == 200 and response.context["rows"]


@pytest.mark.django_db
def test_presets_and_the_default_period(stats_province: Province, world: People) -> None:
    client = client_for(world.officer_a)
    today = timezone.localdate()
    default = client.get(PAGE).context["period"]
    assert (default.first, default.last) == (today.replace(day=1), today)
    year = client.get(PAGE, {"ky": "nam"}).context["period"]
    assert (year.first, year.last, year.preset) == (today.replace(month=1, day=1), today, "nam")
    quarter = client.get(PAGE, {"ky": "quy"}).context["period"]
    assert quarter.first.month == 3 * ((today.month - 1) // 3) + 1 and quarter.first.day == 1
    assert client.get(PAGE, {"ky": "khac"}).context["period"].preset == "thang"


@pytest.mark.django_db
def test_the_xlsx_holds_the_same_table(stats_province: Province, world: People) -> None:
    p = stats_province
    response = client_for(world.inspector).get(f"/can-bo/thong-ke/{p.root.pk}/bang.xlsx", PERIOD)
    assert response.status_code == 200
    assert "thong-ke-000.00.00.H98-20261101-20261130.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    keys = [key for key, _ in views.COLUMNS]
    total = agency_statistics(p.root, *NOVEMBER)
    assert list(rows[4][1:-1]) == [getattr(total, key) for key in keys]
    assert rows[4][-1] == total.on_time_rate
    by_label = {row[0]: list(row[1:-1]) for row in rows[5:]}
    commune_a = agency_statistics(p.commune_a, *NOVEMBER)
    assert by_label["UBND xã A"] == [getattr(commune_a, key) for key in keys]
    assert len(rows) == 5 + 3


@pytest.mark.django_db
def test_the_staff_navigation_links_the_page(world: People) -> None:
    html = client_for(world.officer_a).get("/can-bo/").content.decode()
    assert f'href="{PAGE}">Thống kê</a>' in html


@pytest.mark.django_db
def test_a_name_like_a_formula_stays_text_in_the_xlsx(
    stats_province: Province, world: People
) -> None:
    p = stats_province
    p.commune_b.name = '=HYPERLINK("http://example.invalid","x")'
    p.commune_b.save()
    response = client_for(world.inspector).get(f"/can-bo/thong-ke/{p.root.pk}/bang.xlsx", PERIOD)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[0] for row in sheet.iter_rows()]
    named = [cell for cell in cells if str(cell.value).startswith("=HYPERLINK")]
    assert len(named) == 1 and named[0].data_type == "s"


@pytest.mark.django_db
def test_an_inspector_of_a_commune_reads_only_that_commune(
    stats_province: Province, world: People
) -> None:
    p = stats_province
    inspector = client_for(staff_with_role(p.commune_a, Role.INSPECTOR, username="tk_tt_xa"))
    own = inspector.get(PAGE, PERIOD)
    assert own.status_code == 200 and own.context["agency"] == p.commune_a
    assert numbers_of(own.context["total"]["cells"]) == expected(p.commune_a)
    for agency in (p.root, p.commune_b):
        assert inspector.get(PAGE, at(agency)).status_code == 404
        link = f"/can-bo/thong-ke/{agency.pk}/ho-so/resolved/"
        assert inspector.get(link, PERIOD).status_code == 404
    # The "directly at the province" row of the province is the province's too.
    direct = f"/can-bo/thong-ke/{p.root.pk}/ho-so/resolved/"
    assert inspector.get(direct, {**PERIOD, "rieng": "1"}).status_code == 404
    assert inspector.post(PAGE, PERIOD).status_code == 405  # a read-only page
