"""The citizen's dossier page in status 6: what is asked, since when, and the "Thanh toán trực
tuyến" button that sends the browser to the test gateway; back on the page once paid, the dossier
is being processed again. No button in any other status; another citizen finds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.payments.models import Payment
from tests import dossier_helpers as h
from tests.conftest import Personas, client_for
from tests.payments import conftest as pay
from tests.payments.conftest import Paygate, browser_back, shown_messages

BUTTON = "Thanh toán trực tuyến</button>"


@pytest.fixture
def gateway(settings: Any) -> Iterator[Paygate]:
    yield from pay._paygate(settings, ipn_url="", site="http://testserver")


def _url(dossier: Dossier, tail: str = "") -> str:
    return f"/tai-khoan/ho-so-cua-toi/{dossier.code}/{tail}"


def test_the_page_shows_what_is_asked_and_pays_it(
    dossier: Dossier, citizen: Client, gateway: Paygate
) -> None:
    waiting = h.request_payment(dossier, money=250_000, content="Lệ phí cấp giấy phép")
    asked = waiting.transitions.get(action="request_payment")
    html = citizen.get(_url(waiting)).content.decode()
    assert "Thực hiện nghĩa vụ tài chính</h2>" in html and "Lệ phí cấp giấy phép" in html
    assert "250.000 đồng" in html and f"{timezone.localtime(asked.at):%d/%m/%Y %H:%M}" in html
    assert BUTTON in html and f'action="{_url(waiting, "thanh-toan/")}"' in html
    assert "csrfmiddlewaretoken" in html

    response = citizen.post(_url(waiting, "thanh-toan/"))
    assert response.status_code == 302 and response["Location"].startswith(gateway.base_url)
    payment = Payment.objects.get()
    assert payment.next_url == _url(waiting) and payment.amount == 250_000

    back = browser_back(citizen, gateway.pay(response["Location"]))  # no IPN: the return
    assert back["Location"] == _url(waiting)
    assert shown_messages(back) == ["Thanh toán thành công."]
    html = citizen.get(_url(waiting)).content.decode()
    assert BUTTON not in html and "Đã nhận thanh toán trực tuyến 250.000 đồng" in html
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING


def test_no_button_outside_status_6(dossier: Dossier, citizen: Client, gateway: Paygate) -> None:
    html = citizen.get(_url(dossier)).content.decode()
    assert BUTTON not in html and "Thực hiện nghĩa vụ tài chính</h2>" not in html
    # A stale page posting anyway is told why, and no payment starts.
    response = citizen.post(_url(dossier, "thanh-toan/"), follow=True)
    assert "không có khoản nghĩa vụ tài chính nào đang chờ" in response.content.decode()
    assert not Payment.objects.exists()


def test_without_a_gateway_the_citizen_is_told(
    dossier: Dossier, citizen: Client, settings: Any
) -> None:
    settings.PAYMENT_GATEWAY_URL = ""
    waiting = h.request_payment(dossier, money=10_000)
    response = citizen.post(_url(waiting, "thanh-toan/"), follow=True)
    assert "Thanh toán trực tuyến chưa được cấu hình" in response.content.decode()


def test_another_citizen_finds_nothing(
    dossier: Dossier, personas: Personas, gateway: Paygate
) -> None:
    waiting = h.request_payment(dossier, money=10_000)
    other = client_for(personas.citizen_b)
    assert other.get(_url(waiting)).status_code == 404
    assert other.post(_url(waiting, "thanh-toan/")).status_code == 404
    assert client_for(personas.citizen).get(_url(waiting, "thanh-toan/")).status_code == 405
    assert client_for(personas.officer_a).post(_url(waiting, "thanh-toan/")).status_code == 403
    assert not Payment.objects.exists()
