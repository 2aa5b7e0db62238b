"""On a 360×740 phone: a citizen arrives from the QR code with the code filled in, types the four
check digits and reads the state; the page fits the screen and the labels name the inputs. Runs
with BROWSER_TESTS=1 (Debian's Chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from chinhquyen.dossiers import actions
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.conftest import Personas, Province

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
    def phone_page(browser: Browser, live_server: Any) -> Iterator[Page]:
        context = browser.new_context(base_url=str(live_server), viewport=PHONE, locale="vi-VN")
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()

    def test_lookup_from_the_qr_code_on_a_phone(
        province: Province,
        personas: Personas,
        phone_page: Page,
        settings: Any,
        tmp_path: Path,
    ) -> None:
        settings.MEDIA_ROOT = str(tmp_path / "media")
        load_default_templates()
        dossier = h.submitted_dossier(personas.citizen, h.publish_procedure(province.agency_a))
        page = phone_page
        link = urlsplit(actions.tracking_url(dossier.code))  # what the QR code holds
        page.goto(f"{link.path}?{link.query}")
        expect(page.get_by_label("Mã số hồ sơ")).to_have_value(dossier.code)
        page.get_by_label("4 số cuối").fill("0000")
        page.get_by_role("button", name="Tra cứu").click()
        expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ")
        page.get_by_label("4 số cuối").fill(h.PHONE[-4:])
        page.get_by_role("button", name="Tra cứu").click()
        expect(page.get_by_role("status")).to_contain_text("Mới đăng ký")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "tracking-lookup-phone.png", full_page=True)
