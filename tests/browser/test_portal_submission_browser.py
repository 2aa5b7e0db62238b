"""On a 360×740 phone: an e-form page fits the screen, a conditional field appears when its
condition is chosen, errors put the focus on their summary, and a long list of communes can be
filtered by typing without diacritics. Runs with BROWSER_TESTS=1 (Debian's Chromium)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from chinhquyen.dossiers import drafts
from chinhquyen.org.models import AdministrativeUnit, Agency
from tests import dossier_helpers as h
from tests.browser.conftest import SCREENSHOTS, fits_phone
from tests.conftest import Personas, Province
from tests.factories import AgencyFactory
from tests.portal.submission_pages import commune_level_procedure, url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]


def test_eform_page_on_a_phone(province: Province, personas: Personas, citizen_page: Page) -> None:
    version = h.publish_procedure(province.agency_a)
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    page = citizen_page
    page.goto(url("group", draft, 1))
    other = page.get_by_label("Ghi rõ quan hệ")
    expect(other).to_be_hidden()
    page.get_by_label("Người khác").check()
    expect(other).to_be_visible()
    assert fits_phone(page)
    page.get_by_role("button", name="Lưu và tiếp tục").last.click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Ghi rõ quan hệ: Vui lòng nhập thông tin này.")
    assert fits_phone(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "submission-eform-phone.png", full_page=True)
    summary.get_by_role("link", name="Ghi rõ quan hệ").click()
    expect(other).to_be_focused()


def test_receiving_commune_found_by_typing(
    province: Province, personas: Personas, citizen_page: Page
) -> None:
    province_unit = AdministrativeUnit.objects.create(
        level=AdministrativeUnit.Level.PROVINCE, code="33", name="Tỉnh Hưng Yên"
    )
    for number in range(20):
        commune = AdministrativeUnit.objects.create(
            level=AdministrativeUnit.Level.COMMUNE, code=f"{12000 + number}",
            name=f"Xã Thử Nghiệm {number}", division_type="xã", parent=province_unit,
        )  # fmt: skip
        AgencyFactory.create(
            name=f"Ủy ban nhân dân xã Thử Nghiệm {number}",
            kind=Agency.Kind.COMMUNE_COMMITTEE,
            administrative_unit=commune,
        )
    AgencyFactory.create(name="Ủy ban nhân dân phường Đông Kết", kind=Agency.Kind.COMMUNE_COMMITTEE)
    version = commune_level_procedure()
    draft = drafts.do_create_draft(owner=personas.citizen, version=version)
    page = citizen_page
    page.goto(url("reception", draft))
    page.get_by_label("Tìm trong danh sách").fill("dong ket")
    options = page.locator("#f-noi_nop option")
    expect(options).to_have_count(2)  # "— Chọn nơi nộp —" and the match
    page.locator("#f-noi_nop").select_option(label="Ủy ban nhân dân phường Đông Kết")
    page.get_by_label("Nhận qua dịch vụ bưu chính công ích").check()
    expect(page.get_by_label("Địa chỉ nhận kết quả qua bưu chính")).to_be_visible()
    assert fits_phone(page)
    page.screenshot(path=SCREENSHOTS / "submission-reception-phone.png", full_page=True)
