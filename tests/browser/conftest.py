"""Browser fixtures: Debian's Chromium driven by Playwright (sync API) against pytest-django's
live server. Chromium is never downloaded: the system package is launched by path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # The sync API keeps an event loop running in this thread, which Django's ORM guard would
    # take for async code; the test database is still used from one thread at a time. Module
    # scope: the loop must be gone before later modules call asyncio.run (pyHanko does).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _page(browser: Browser, base_url: str, viewport: ViewportSize) -> Iterator[Page]:
    """A fresh context (no cookies, empty localStorage) per test."""
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    yield from _page(browser, str(live_server), DESKTOP)


@pytest.fixture
def phone_page(browser: Browser, live_server: object) -> Iterator[Page]:
    yield from _page(browser, str(live_server), PHONE)


@pytest.fixture
def citizen_page(browser: Browser, live_server: object, personas: Any) -> Iterator[Page]:
    """A phone signed in as the citizen persona (the session of a signed-in test client)."""
    from django.conf import settings

    from tests.conftest import client_for

    name = settings.SESSION_COOKIE_NAME
    session = client_for(personas.citizen).cookies[name].value
    context = browser.new_context(base_url=str(live_server), viewport=PHONE, locale="vi-VN")
    context.add_cookies([{"name": name, "value": session, "url": str(live_server)}])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def fits_phone(page: Page) -> bool:
    """No sideways scrolling on a 360 px screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- Shared steps of the journeys (citizen's online submission, staff sign-in) ----------------


@pytest.fixture
def paygate(settings: Any, live_server: Any) -> Iterator[Any]:
    """The test gateway (real HTTP); its IPN comes back over HTTP to the live server."""
    from tests.payments import conftest as pay

    settings.SITE_URL = live_server.url
    yield from pay._paygate(
        settings, ipn_url=live_server.url + "/thanh-toan/ipn/", site=live_server.url
    )


def submit_birth_registration(page: Page, citizen: Any, pdf: Path, *, born: date) -> Any:
    """The citizen's online submission of the birth registration in the browser, from the
    catalogue search to the confirmation page: sign in, fill the e-form one group per page,
    upload `pdf` for every required document, choose electronic delivery, pay the fee on the
    test gateway when one is due (born more than 60 days ago), declare and submit. Returns the
    submitted Dossier. Needs a published procedure (tests.dossier_helpers.publish_procedure),
    the commune unit and, when a fee is due, the `paygate` fixture."""
    import re

    from playwright.sync_api import expect

    from chinhquyen.dossiers.models import Dossier
    from tests import dossier_helpers as h
    from tests.factories import DEMO_PASSWORD

    page.goto("/dich-vu-cong/")
    page.locator("#q").fill("dang ky khai sinh")
    page.locator("#q").press("Enter")
    page.get_by_role("link", name="Đăng ký khai sinh").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng ký khai sinh")

    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
    page.get_by_label("Thư điện tử hoặc số điện thoại di động").fill(citizen.email)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role(
        "button", name=re.compile("Bắt đầu nộp hồ sơ|Nộp hồ sơ trực tuyến")
    ).first.click()

    expect(page.locator('[name="nguoi_nop-phone"]')).to_have_value(citizen.phone)
    page.locator('[name="nguoi_nop-address"]').fill("Số 1, phố Hiến Nam")
    page.get_by_role("button", name="Lưu và tiếp tục").last.click()

    page.locator('[name="nguoi_yeu_cau-ho_ten"]').fill("Nguyễn Văn An")
    page.locator('[name="nguoi_yeu_cau-so_dinh_danh"]').fill(h.PERSONAL_ID)
    page.locator('[name="nguoi_yeu_cau-dien_thoai"]').fill(h.PHONE)
    page.locator('[name="nguoi_yeu_cau-noi_cu_tru"]').select_option("12175")
    page.locator('[name="nguoi_yeu_cau-dia_chi"]').fill("Số 1, phố Hiến Nam")
    page.get_by_label("Cha", exact=True).check()
    page.get_by_role("button", name="Lưu và tiếp tục").last.click()

    page.locator('[name="tre-0-ho_ten"]').fill("Nguyễn Minh Khôi")
    page.locator('[name="tre-0-gioi_tinh"]').first.check()
    page.locator('[name="tre-0-ngay_sinh"]').fill(born.isoformat())
    page.locator('[name="tre-0-noi_sinh"]').fill("Bệnh viện Đa khoa tỉnh")
    page.locator('[name="tre-0-dan_toc"]').fill("Kinh")
    page.locator('[name="tre-0-quoc_tich"]').fill("Việt Nam")
    page.get_by_role("button", name="Lưu và tiếp tục").last.click()

    page.locator('[name="cha_me-ho_ten_me"]').fill("Trần Thị Bình")
    page.locator('[name="cha_me-so_dinh_danh_me"]').fill("001190012345")
    page.get_by_role("button", name="Lưu và tiếp tục").last.click()

    expect(page.get_by_role("heading", name="Giấy tờ kèm theo")).to_be_visible()
    for block in page.locator("section.document").all():
        if block.locator(".badge", has_text="Bắt buộc").count():
            block.locator('input[type="file"]').set_input_files(str(pdf))
            block.get_by_role("button", name="Tải lên").click()
            page.wait_for_load_state()
    page.get_by_role("link", name="Tiếp tục").click()

    page.get_by_label("Nhận bản điện tử trực tuyến").check()
    page.get_by_role("button", name="Lưu và tiếp tục").last.click()

    # Luật Hộ tịch Art. 11 / the catalogue's fee rule: late registration (over 60 days) pays.
    if born < date.today() - timedelta(days=60):
        expect(page.locator("body")).to_contain_text("8.000")
        page.get_by_role("button", name=re.compile("Thanh toán trực tuyến")).click()
        page.get_by_role("button", name="Thanh toán", exact=True).click()
        expect(page.locator("body")).to_contain_text("Đã thanh toán")

    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page.locator("body")).to_contain_text("Nhận bản điện tử trực tuyến")
    dossier = Dossier.objects.filter(applicant=citizen).latest("submitted_at")
    expect(page.locator("body")).to_contain_text(dossier.code)
    return dossier


def next_totp_code(user: Any) -> str:
    """The code an authenticator shows for a step the user has not used yet: now, or the next
    30-second step (the server accepts ±1 step of drift and refuses a step used before), so one
    person may sign in and then confirm a signature within the same half-minute."""
    import time

    import pyotp

    user.refresh_from_db(fields=["last_totp_step"])
    totp, current = pyotp.TOTP(user.totp_secret, interval=30), int(time.time() // 30)
    step = next(s for s in (current, current + 1) if s > (user.last_totp_step or 0))
    return str(totp.at(step * 30))


def sign_in_staff(page: Page, user: Any) -> None:
    """Password, then the TOTP code, landing on the staff home (/can-bo/)."""
    from tests.factories import DEMO_PASSWORD

    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/dang-nhap/xac-thuc/")
    page.get_by_label("Mã xác thực").fill(next_totp_code(user))
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/")


@pytest.fixture
def staff_page(browser: Browser, live_server: object) -> Iterator[Any]:
    """`staff_page(user)`: a desktop browser context of its own, signed in as `user` with the
    password and TOTP code, as each officer works on their own machine."""
    contexts = []

    def open_for(user: Any) -> Page:
        context = browser.new_context(base_url=str(live_server), viewport=DESKTOP, locale="vi-VN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_staff(page, user)
        return page

    yield open_for
    for context in contexts:
        context.close()
