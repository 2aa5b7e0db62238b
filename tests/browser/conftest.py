"""Browser fixtures: Debian's Chromium driven by Playwright (sync API) against pytest-django's
live server. Chromium is never downloaded: the system package is launched by path."""

from __future__ import annotations

import os
from collections.abc import Iterator
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
