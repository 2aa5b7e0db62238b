"""The public catalogue pages, seen by a citizen who is not signed in."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.portal.conftest import Catalogue

pytestmark = pytest.mark.django_db


def get(path: str, status: int = 200) -> str:
    response = Client().get(path)
    assert response.status_code == status, path
    return response.content.decode()


def test_catalogue_home_lists_fields_with_counts(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/")
    assert 'href="/dich-vu-cong/linh-vuc/HT/"' in html
    assert 'Hộ tịch</a> <span class="muted">(2 thủ tục)</span>' in html
    assert 'role="search"' in html
    assert 'aria-current="page"' in html
    assert "Thủ tục bí mật" not in html


@pytest.mark.parametrize("query", ["giay phep xay dung", "GIẤY PHÉP"])
def test_search_page_finds_the_issue_examples(catalogue: Catalogue, query: str) -> None:
    html = get(f"/dich-vu-cong/tim-kiem/?q={query}")
    assert "Tìm thấy 1 thủ tục" in html
    assert 'href="/dich-vu-cong/thu-tuc/1.009999.000.00.00.H38/"' in html


def test_search_filters(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/tim-kiem/?q=dang+ky&muc_do=none")
    assert "Đăng ký kết hôn" in html
    assert "Đăng ký khai sinh</a>" not in html
    html = get(f"/dich-vu-cong/tim-kiem/?co_quan={catalogue.agency.pk}&cap=province")
    assert "Tìm thấy 1 thủ tục" in html
    assert "Cấp giấy phép xây dựng" in html
    html = get("/dich-vu-cong/tim-kiem/?linh_vuc=XD")
    assert '<option value="XD" selected>' in html


def test_no_results_gives_advice(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/tim-kiem/?q=tau+vu+tru&linh_vuc=HT")
    assert 'role="status"' in html
    assert "Không tìm thấy thủ tục nào" in html
    assert "gõ không dấu cũng được" in html
    assert "Bỏ các bộ lọc" in html


@pytest.mark.parametrize(
    "query",
    [
        "?q=" + "x" * 5000,
        "?co_quan=abc&cap=galaxy&trang=-1",
        "?trang=999999999999",
        "?q=%25%5F%5C&linh_vuc=" + "Z" * 500,
        "?q=%ff",
    ],
)
def test_odd_queries_never_fail(catalogue: Catalogue, query: str) -> None:
    get("/dich-vu-cong/tim-kiem/" + query)


@pytest.mark.parametrize(
    "path",
    [
        "/dich-vu-cong/tim-kiem/?co_quan=abc&muc_do=%00",
        "/dich-vu-cong/tim-kiem/?q=%00%ff",
        "/dich-vu-cong/thu-tuc/1.001%00/",
        "/dich-vu-cong/linh-vuc/H%00T/",
        "/tra-cuu-ho-so/?ma=%00&kiem_tra=1234",
    ],
)
def test_nul_characters_are_refused_with_a_message(catalogue: Catalogue, path: str) -> None:
    """PostgreSQL refuses NUL in text: a clear 400, never a 500 (core.middleware)."""
    assert "ký tự NUL" in get(path, status=400)


def test_nul_in_a_posted_form_is_refused(catalogue: Catalogue) -> None:
    body = urlencode({"username": "a\x00b", "password": "x"})
    response = Client().post("/dang-nhap/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_pagination_keeps_the_filters(catalogue: Catalogue) -> None:
    from tests.portal.catalogue import field, version

    civil = field("HT", "Hộ tịch")
    for n in range(25):
        version(f"Thủ tục hộ tịch số {n:02d}", field_of=civil)
    html = get("/dich-vu-cong/tim-kiem/?q=ho+tich&linh_vuc=HT")
    assert "Trang 1/2" in html
    assert 'href="?q=ho+tich&amp;linh_vuc=HT&amp;trang=2"' in html
    assert "Trang 2/2" in get("/dich-vu-cong/tim-kiem/?q=ho+tich&linh_vuc=HT&trang=2")
    assert "Trang 2/2" in get("/dich-vu-cong/tim-kiem/?q=ho+tich&linh_vuc=HT&trang=9")


def test_field_page_lists_its_procedures(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/linh-vuc/HT/")
    assert "Đăng ký khai sinh" in html
    assert "Đăng ký kết hôn" in html
    assert "Cấp giấy phép xây dựng" not in html
    assert "Thủ tục bí mật" not in html
    get("/dich-vu-cong/linh-vuc/KHONG-CO/", status=404)


def test_procedure_page_has_what_a_citizen_needs(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/thu-tuc/1.001193.000.00.00.H38/")
    for text in (
        "<h1>Đăng ký khai sinh</h1>",
        "Hộ tịch",
        "Cấp xã",
        "Toàn trình",
        "mức độ 4",
        "Công dân",
        "Ủy ban nhân dân cấp xã",
        "Trong ngày làm việc",
        "sau 15 giờ",
        "1 bản chính, 2 bản sao",
        "Có thể dùng lại từ kho dữ liệu",
        "Lệ phí đăng ký: <strong>Miễn phí</strong>",
        "Nhận qua dịch vụ bưu chính công ích",
        "<li>Bước 1: Nộp tờ khai</li>",
        "Luật Hộ tịch số 60/2014/QH13",
        "Phiên bản 1, hiệu lực từ",
        'action="/dich-vu-cong/thu-tuc/1.001193.000.00.00.H38/nop-ho-so/"',
        'class="primary">Nộp hồ sơ trực tuyến</button>',
        'id="nop-truc-tuyen"',
        'aria-label="Vị trí trang"',
        'href="/dich-vu-cong/linh-vuc/HT/"',
    ):
        assert text in html, text


def test_procedure_page_splits_and_formats_fees(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/thu-tuc/1.009999.000.00.00.H38/")
    fees, charges = html.split("<h3>Lệ phí</h3>")[1].split("<h3>Phí</h3>")
    assert "Lệ phí cấp phép: <strong>50.000 đồng</strong>" in fees
    assert "Phí thẩm định" not in fees
    assert "1.500.000 đồng/bản (tối thiểu 100.000 đồng)" in charges
    assert "15 ngày làm việc" in html
    assert "Sở Xây dựng tỉnh Thử nghiệm" in html
    assert "Một phần" in html


def test_offline_procedure_guides_to_the_counter(catalogue: Catalogue) -> None:
    html = get(f"/dich-vu-cong/thu-tuc/{catalogue.marriage.procedure.national_code}/")
    assert 'href="#nop-truc-tiep">Hướng dẫn nộp trực tiếp</a>' in html
    assert "Nộp hồ sơ trực tuyến" not in html


def test_drafts_and_unknown_codes_are_404(catalogue: Catalogue) -> None:
    html = get("/dich-vu-cong/thu-tuc/1.000000.000.00.00.H38/", status=404)
    assert "Thủ tục bí mật" not in html
    get("/dich-vu-cong/thu-tuc/khong-co/", status=404)
    assert "Thủ tục bí mật" not in get("/dich-vu-cong/tim-kiem/?q=bi+mat")


def test_pages_are_get_only(catalogue: Catalogue) -> None:
    assert Client().post("/dich-vu-cong/tim-kiem/").status_code == 405
