"""On a 360×740 phone: the search page fits the screen, and a citizen who types without
diacritics reaches the procedure page. Runs with BROWSER_TESTS=1 (Debian's Chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.portal.conftest import Catalogue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]

if os.environ.get("BROWSER_TESTS") == "1":
    from playwright.sync_api import Browser, Page, expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Browser]:
        # As tests/browser/conftest.py: the sync API's event loop must not outlive this module.
        previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous

    @pytest.fixture
    def phone_page(browser: Browser, live_server: object) -> Iterator[Page]:
        context = browser.new_context(base_url=str(live_server), viewport=PHONE, locale="vi-VN")
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()

    def test_search_on_a_phone_reaches_the_procedure(
        catalogue: Catalogue, phone_page: Page
    ) -> None:
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
