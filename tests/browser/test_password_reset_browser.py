"""“Quên mật khẩu” on a 360×740 phone in Debian's Chromium: from the sign-in page to a new
password, the code read from the message the outbox would send, then a sign-in with the new
password (the old one refused). Runs with BROWSER_TESTS=1."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from tests.conftest import Personas
from tests.factories import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("BROWSER_TESTS") != "1", reason="needs BROWSER_TESTS=1"),
]

NEW_PASSWORD = "Mat-khau-moi-tren-dien-thoai-2027"
CONTACT_LABEL = "Thư điện tử hoặc số điện thoại di động"

if os.environ.get("BROWSER_TESTS") == "1":
    from playwright.sync_api import Page, expect

    def _sign_in(page: Page, email: str, password: str) -> None:
        page.goto("/tai-khoan/dang-nhap/")
        page.get_by_label(CONTACT_LABEL).fill(email)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()

    def test_a_citizen_sets_a_new_password_on_a_phone(
        phone_page: Page, personas: Personas, screenshots: Path
    ) -> None:
        load_default_templates()
        citizen = personas.citizen
        page = phone_page

        page.goto("/tai-khoan/dang-nhap/")
        page.get_by_role("link", name="Quên mật khẩu?").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Quên mật khẩu")
        page.get_by_label(CONTACT_LABEL).fill(citizen.email)
        page.get_by_role("button", name="Gửi mã").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu mới")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        message = OutboxMessage.objects.get(
            template_code="account.password_reset", recipient=citizen.email
        )
        code = re.findall(r"(?<!\d)\d{6}(?!\d)", message.body)[-1]

        # A weak password first: refused in Vietnamese, nothing changed, the code still good.
        page.get_by_label("Mã xác thực (6 chữ số)").fill(code)
        page.get_by_label(re.compile(r"^Mật khẩu mới")).fill("12345678")
        page.get_by_label("Nhập lại mật khẩu mới").fill("12345678")
        page.get_by_role("button", name="Đặt mật khẩu mới").click()
        expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
        page.screenshot(path=str(screenshots / "password-reset-refused-phone.png"), full_page=True)

        page.get_by_label("Mã xác thực (6 chữ số)").fill(code)
        page.get_by_label(re.compile(r"^Mật khẩu mới")).fill(NEW_PASSWORD)
        page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Đặt mật khẩu mới").click()
        expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/$"))
        expect(page.get_by_text("Đã đặt mật khẩu mới")).to_be_visible()

        _sign_in(page, citizen.email, DEMO_PASSWORD)  # the old password no longer works
        expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
        _sign_in(page, citizen.email, NEW_PASSWORD)
        expect(page).not_to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
        page.goto("/tai-khoan/ho-so/")
        expect(page).to_have_url(re.compile(r"/tai-khoan/ho-so/$"))
