"""On a 360×740 phone: a citizen arrives from the QR code with the code filled in, types the four
check digits and reads the state; the page fits the screen and the labels name the inputs. Runs
with BROWSER_TESTS=1 (Debian's Chromium)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from chinhquyen.dossiers import actions
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.conftest import Personas, Province

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]


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
