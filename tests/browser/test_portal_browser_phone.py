"""On a 360×740 phone: the search page fits the screen, and a citizen who types without
diacritics reaches the procedure page. Runs with BROWSER_TESTS=1 (Debian's Chromium)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.portal.conftest import Catalogue
from tests.portal.conftest import catalogue as catalogue  # the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]


def test_search_on_a_phone_reaches_the_procedure(catalogue: Catalogue, phone_page: Page) -> None:
    page = phone_page
    page.goto("/dich-vu-cong/tim-kiem/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Tên thủ tục hoặc từ khóa").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("status")).to_contain_text("Tìm thấy 1 thủ tục")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "portal-search-phone.png", full_page=True)
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SCREENSHOTS / "portal-procedure-phone.png", full_page=True)
