"""The test gateway (chinhquyen/integrations/paygate/testserver.py) on a free port, a handler
registered for "kiemthu:" references that records its calls, and a browser at the gateway
(plain HTTP: GET the payment page, submit its form, read the redirect)."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from chinhquyen.audit.actions import record_audit
from chinhquyen.integrations.paygate.testserver import PAY_PATH, QUERY_PATH, Gateway, running
from chinhquyen.org.models import User
from chinhquyen.payments import actions
from chinhquyen.payments.actions import do_start_payment, register_payment_handler
from chinhquyen.payments.models import Payment

TMN = "KIEMTHU1"
SECRET = "bi-mat-cua-cong-thanh-toan-thu-nghiem"
PREFIX = "kiemthu"


class _FormReader(HTMLParser):
    """The inputs of the gateway page's form, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@dataclass
class Paygate:
    gateway: Gateway
    base_url: str

    def page(self, pay_url: str) -> tuple[int, str]:
        return http_get(pay_url)

    def pay(self, pay_url: str, action: str = "pay", **knobs: str) -> str:
        """Open the payment page, press "Thanh toán" (or "Hủy giao dịch"), return where the
        gateway sends the browser (the signed return URL)."""
        status, html = self.page(pay_url)
        assert status == 200, html
        reader = _FormReader()
        reader.feed(html)
        form = {**reader.fields, "action": action, **knobs}
        request = urllib.request.Request(  # noqa: S310 - test server
            self.base_url + PAY_PATH, data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        try:
            urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 302, error.read().decode()
            return str(error.headers["Location"])
        raise AssertionError("the gateway did not redirect the browser")


@pytest.fixture
def paygate(settings: Any) -> Iterator[Paygate]:
    """The gateway without an IPN URL: tests deliver its notifications themselves."""
    yield from _paygate(settings, ipn_url="", site="http://testserver")


@pytest.fixture
def paygate_live(settings: Any, live_server: Any) -> Iterator[Paygate]:
    """The gateway sending its IPN over HTTP to the live server, as in production."""
    yield from _paygate(
        settings, ipn_url=live_server.url + "/thanh-toan/ipn/", site=live_server.url
    )


def _paygate(settings: Any, *, ipn_url: str, site: str) -> Iterator[Paygate]:
    gateway = Gateway(secret=SECRET, tmn_code=TMN, ipn_url=ipn_url)
    with running(gateway) as base_url:
        settings.PAYMENT_GATEWAY_URL = base_url + PAY_PATH
        settings.PAYMENT_QUERY_URL = base_url + QUERY_PATH
        settings.PAYMENT_TMN_CODE = TMN
        settings.PAYMENT_HASH_SECRET = SECRET
        settings.PAYMENT_PUBLIC_BASE_URL = site
        yield Paygate(gateway, base_url)


@dataclass
class Handled:
    """What the "kiemthu" handler saw; `delay` widens race windows, `fail` makes it raise."""

    calls: list[str] = field(default_factory=list)
    delay: float = 0.0
    fail: bool = False

    def __call__(self, payment: Payment) -> None:
        # Visible inside the handler: the payment is already paid, in the same transaction.
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
        record_audit("kiemthu.paid", obj=payment)  # the domain side's own write
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("kiemthu handler refused")
        self.calls.append(payment.txn_ref)


@pytest.fixture
def handled() -> Iterator[Handled]:
    handler = Handled()
    register_payment_handler(PREFIX, handler)
    try:
        yield handler
    finally:
        actions._HANDLERS.pop(PREFIX, None)


def start(
    payer: User,
    reference: str = "kiemthu:ho-so-1",
    amount: int = 50_000,
    return_url: str = "/ho-so/kiem-tra/",
) -> tuple[Payment, str]:
    return do_start_payment(
        payer=payer,
        reference=reference,
        amount=Decimal(amount),
        description="Lệ phí đăng ký khai sinh — hồ sơ số 1",
        return_url=return_url,
        client_ip="203.0.113.7",
    )


def browser_back(client: Client, location: str) -> Any:
    """The citizen's browser following the gateway's redirect to our return page."""
    parts = urllib.parse.urlsplit(location)
    assert parts.path == "/thanh-toan/ket-qua/"
    return client.get(f"{parts.path}?{parts.query}")


def shown_messages(response: Any) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(message) for message in get_messages(response.wsgi_request)]


def query_of(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
