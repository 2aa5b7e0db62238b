"""A staff member signs in with password and TOTP in a real browser; the pages around sign-in
keep their accessibility promises (skip link, font size and contrast, no sideways scroll)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from chinhquyen.org.models import Agency, Role, User
from tests.factories import DEMO_PASSWORD, AgencyFactory, staff_with_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("BROWSER_TESTS") != "1", reason="browser tests need BROWSER_TESTS=1"
    ),
]

AGENCY_NAME = "Trung tâm Phục vụ hành chính công tỉnh Thử nghiệm"
WRONG_CODE_ERROR = "Mã xác thực không đúng hoặc đã dùng. Nhập mã mới."


@pytest.fixture
def officer(transactional_db: None) -> User:
    agency = AgencyFactory.create(name=AGENCY_NAME, kind=Agency.Kind.DEPARTMENT)
    return staff_with_role(
        agency, Role.ONE_STOP_OFFICER, username="motcua_tn", full_name="Nguyễn Thị Thu Hà"
    )


def _password_step(page: Page, user: User) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/dang-nhap/xac-thuc/")


def _code_step(page: Page, code: str) -> None:
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _sign_in(page: Page, user: User) -> None:
    _password_step(page, user)
    _code_step(page, pyotp.TOTP(user.totp_secret).now())
    page.wait_for_url("**/can-bo/")


def _wrong_code(secret: str) -> str:
    """A code outside the ±1 step the server accepts."""
    totp, now = pyotp.TOTP(secret), time.time()
    accepted = {totp.at(now + 30 * offset) for offset in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def _has_no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_password_then_code_reaches_staff_home(
    page: Page, officer: User, screenshots: Path
) -> None:
    _sign_in(page, officer)
    main = page.locator("main#noi-dung")
    expect(main.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Thị Thu Hà")
    row = main.get_by_role("row").filter(has_text=AGENCY_NAME)
    expect(row).to_contain_text(str(Role.ONE_STOP_OFFICER.label))
    page.screenshot(path=screenshots / "staff_home.png", full_page=True)


def test_wrong_code_shows_error_and_stays(page: Page, officer: User) -> None:
    _password_step(page, officer)
    _code_step(page, _wrong_code(officer.totp_secret))
    expect(page).to_have_url(re.compile(r"/dang-nhap/xac-thuc/$"))
    expect(page.locator("main")).to_contain_text(WRONG_CODE_ERROR)
    expect(page.get_by_label("Mã xác thực")).to_be_visible()


def test_staff_home_needs_the_second_factor(page: Page, officer: User) -> None:
    _password_step(page, officer)
    page.goto("/can-bo/")
    page.wait_for_url("**/dang-nhap/?next=/can-bo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập cán bộ")


def test_skip_link_is_first_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/dang-nhap/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.hash]")
    assert focused == ["skip-link", "#noi-dung"]
    expect(page.locator("a.skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.matches('main#noi-dung')")


def test_font_size_and_contrast_persist_across_pages(page: Page) -> None:
    page.goto("/")
    html = page.locator("html")
    page.get_by_role("button", name="Tăng cỡ chữ").click()
    expect(html).to_have_attribute("data-font-step", "1")
    contrast = page.get_by_role("button", name="Tương phản cao")
    contrast.click()
    expect(html).to_have_attribute("data-contrast", "high")
    expect(contrast).to_have_attribute("aria-pressed", "true")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Đăng nhập cán bộ").click()
    page.wait_for_url("**/dang-nhap/")
    expect(html).to_have_attribute("data-font-step", "1")
    expect(html).to_have_attribute("data-contrast", "high")


def test_contrast_stays_put_on_the_next_page(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Tương phản cao").click()
    page.goto("/dang-nhap/")
    page.get_by_role("heading", level=1).click()
    expect(page.locator("html")).to_have_attribute("data-contrast", "high", timeout=2_000)
    expect(page.get_by_role("button", name="Tương phản cao")).to_have_attribute(
        "aria-pressed", "true", timeout=2_000
    )


def test_phone_viewport_has_no_sideways_scroll(
    phone_page: Page, officer: User, screenshots: Path
) -> None:
    page = phone_page
    for path in ("/", "/dang-nhap/"):
        page.goto(path)
        assert _has_no_sideways_scroll(page), path
    _sign_in(page, officer)
    assert _has_no_sideways_scroll(page), "/can-bo/"
    page.screenshot(path=screenshots / "staff_home_phone.png", full_page=True)
    for _ in range(3):  # the largest font step
        page.get_by_role("button", name="Tăng cỡ chữ").click()
    expect(page.locator("html")).to_have_attribute("data-font-step", "3")
    assert _has_no_sideways_scroll(page), "/can-bo/ at the largest font"
    page.screenshot(path=screenshots / "staff_home_phone_large.png", full_page=True)
