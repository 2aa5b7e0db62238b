"""The receipt page and the payments API show a payment to its payer only (404 for anybody
else, so another person's payment is not even confirmed to exist)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl

from django.test import Client

from chinhquyen.payments.actions import do_record_gateway_result
from chinhquyen.payments.models import Payment
from tests.conftest import Personas, client_for
from tests.payments.conftest import Handled, Paygate, start


def _paid(personas: Personas, paygate: Paygate, amount: int = 1_250_000) -> Payment:
    payment, url = start(personas.citizen, amount=amount)
    paygate.pay(url, ipn="hold", bank_code="BIDV")
    params = dict(parse_qsl(paygate.gateway.ipn_query(payment.txn_ref)))
    assert do_record_gateway_result(params, source="ipn").is_paid
    payment.refresh_from_db()
    return payment


def test_the_payer_sees_a_printable_receipt(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment = _paid(personas, paygate)
    response = client_for(personas.citizen).get(f"/thanh-toan/{payment.pk}/bien-lai/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Biên lai thanh toán trực tuyến" in page
    assert "1.250.000 đồng" in page
    assert "Một triệu hai trăm năm mươi nghìn đồng" in page
    assert payment.reference in page and payment.gateway_transaction_no in page
    assert "BIDV" in page and "@media print" in page
    assert payment.paid_at is not None
    local = payment.paid_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local.strftime("%H:%M:%S ngày %d/%m/%Y") in page


def test_a_pending_payment_is_not_shown_as_a_receipt(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, _ = start(personas.citizen)
    page = client_for(personas.citizen).get(f"/thanh-toan/{payment.pk}/bien-lai/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Biên lai" not in text and "chưa được thanh toán thành công" in text


def test_nobody_else_sees_the_receipt(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment = _paid(personas, paygate)
    url = f"/thanh-toan/{payment.pk}/bien-lai/"
    assert client_for(personas.citizen_b).get(url).status_code == 404
    assert (
        client_for(personas.citizen).get(f"/thanh-toan/{uuid.uuid4()}/bien-lai/").status_code == 404
    )
    assert client_for(personas.officer_a).get(url).status_code == 403  # staff: citizen pages
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]


def test_api_shows_the_payers_own_payment(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment = _paid(personas, paygate, amount=50_000)
    response = client_for(personas.citizen).get(f"/api/v1/payments/{payment.pk}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["id"] == str(payment.pk) and body["amount"] == 50_000
    assert body["status"] == "paid" and body["status_label"] == "Đã thanh toán"
    assert body["receipt_url"] == f"/thanh-toan/{payment.pk}/bien-lai/"
    assert body["gateway_transaction_no"] == payment.gateway_transaction_no


def test_api_hides_other_peoples_payments(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, _ = start(personas.citizen)
    url = f"/api/v1/payments/{payment.pk}"
    other = client_for(personas.citizen_b).get(url)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert client_for(personas.citizen).get(f"/api/v1/payments/{uuid.uuid4()}").status_code == 404
    assert Client().get(url).status_code == 401
    assert client_for(personas.officer_a).get(url).status_code == 403


def test_ipn_never_answers_500(client: Client, settings: Any, db: None) -> None:
    """Garbage, or payments switched off: the gateway gets its JSON shape, never a 500."""
    assert client.get("/thanh-toan/ipn/?vnp_TxnRef=x").json()["RspCode"] in {"97", "99"}
    settings.PAYMENT_GATEWAY_URL = None
    assert client.get("/thanh-toan/ipn/").json() == {"RspCode": "99", "Message": "Unknown error"}
    assert client.post("/thanh-toan/ipn/").status_code == 405
    returned = client.get("/thanh-toan/ket-qua/?vnp_TxnRef=x")
    assert returned.status_code == 503 and "chưa được cấu hình" in returned.content.decode()
