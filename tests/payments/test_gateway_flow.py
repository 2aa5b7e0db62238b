"""Payments through the test gateway over HTTP, with the IPN arriving over HTTP at the live
server: the happy path, both orders of IPN and return, duplicates, failures, refusals, and one
reference paid twice."""

from __future__ import annotations

import json
import urllib.parse

from chinhquyen.audit.models import AuditEvent
from chinhquyen.payments.models import Payment, PaymentEvent
from tests.conftest import Personas, client_for
from tests.payments.conftest import (
    Handled,
    Paygate,
    browser_back,
    http_get,
    query_of,
    shown_messages,
    start,
)

Outcome = PaymentEvent.Outcome


def _ipn(live_url: str, query: str) -> dict[str, str]:
    status, body = http_get(f"{live_url}/thanh-toan/ipn/?{query}")
    assert status == 200
    return dict(json.loads(body))


def _events(payment: Payment) -> list[tuple[str, str]]:
    return list(payment.events.order_by("id").values_list("source", "outcome"))


def test_happy_path(personas: Personas, paygate_live: Paygate, handled: Handled) -> None:
    payment, url = start(personas.citizen, amount=50_000)
    location = paygate_live.pay(url, bank_code="VCB")
    # The gateway told us first, server to server, and we confirmed.
    assert paygate_live.gateway.ipn_answers == [
        (payment.txn_ref, {"RspCode": "00", "Message": "Confirm Success"})
    ]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and handled.calls == [payment.txn_ref]
    assert payment.bank_code == "VCB" and payment.gateway_transaction_no
    assert payment.paid_at is not None
    # Then the browser comes back with the same signed result and goes back to the draft.
    citizen = client_for(personas.citizen)
    response = browser_back(citizen, location)
    assert response.status_code == 302 and response["Location"] == "/ho-so/kiem-tra/"
    shown = shown_messages(response)
    assert shown == ["Thanh toán thành công."]
    assert handled.calls == [payment.txn_ref]
    assert _events(payment) == [("ipn", Outcome.CONFIRMED), ("return", Outcome.ALREADY_CONFIRMED)]
    assert AuditEvent.objects.filter(action="payment.paid", object_id=str(payment.pk)).count() == 1
    assert AuditEvent.objects.filter(action="kiemthu.paid").count() == 1


def test_return_before_ipn(personas: Personas, paygate_live: Paygate, handled: Handled) -> None:
    payment, url = start(personas.citizen)
    location = paygate_live.pay(url, ipn="hold")
    assert paygate_live.gateway.ipn_answers == []
    response = browser_back(client_for(personas.citizen), location)
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and handled.calls == [payment.txn_ref]
    # The late IPN is answered "already confirmed" and changes nothing.
    assert paygate_live.gateway.send_ipn(payment.txn_ref) == {
        "RspCode": "02", "Message": "Order already confirmed",
    }  # fmt: skip
    assert handled.calls == [payment.txn_ref]
    assert _events(payment) == [("return", Outcome.CONFIRMED), ("ipn", Outcome.ALREADY_CONFIRMED)]


def test_duplicate_ipn_is_idempotent(
    personas: Personas, paygate_live: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen)
    paygate_live.pay(url)
    for _ in range(3):  # the gateway retries when it thinks an answer was lost
        assert paygate_live.gateway.send_ipn(payment.txn_ref)["RspCode"] == "02"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and handled.calls == [payment.txn_ref]
    assert [code for _, code in _events(payment)] == [Outcome.CONFIRMED] + [
        Outcome.ALREADY_CONFIRMED
    ] * 3


def test_cancel_at_the_gateway(personas: Personas, paygate_live: Paygate, handled: Handled) -> None:
    payment, url = start(personas.citizen)
    location = paygate_live.pay(url, action="cancel")
    assert paygate_live.gateway.ipn_answers[0][1]["RspCode"] == "00"  # received and recorded
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED and payment.response_code == "24"
    assert handled.calls == [] and payment.paid_at is None
    response = browser_back(client_for(personas.citizen), location)
    assert response.status_code == 302
    shown = shown_messages(response)
    assert shown == ["Giao dịch đã được ghi nhận trước đó: Đã hủy."]
    # The citizen may try again: a cancelled attempt does not block the reference.
    assert start(personas.citizen)[0].status == Payment.Status.PENDING


def test_failure_at_the_bank(personas: Personas, paygate_live: Paygate, handled: Handled) -> None:
    payment, url = start(personas.citizen)
    location = paygate_live.pay(url, outcome="fail", ipn="hold")
    response = browser_back(client_for(personas.citizen), location)
    shown = shown_messages(response)
    assert shown == ["Tài khoản không đủ số dư."]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.response_code == "51"
    assert handled.calls == []
    assert AuditEvent.objects.filter(action="payment.failed", object_id=str(payment.pk)).exists()


def test_bad_signature_changes_nothing(
    personas: Personas, paygate_live: Paygate, handled: Handled, live_server: object
) -> None:
    payment, url = start(personas.citizen)
    location = paygate_live.pay(url, ipn="hold")
    forged = query_of(location)
    forged["vnp_ResponseCode"] = "00"
    forged["vnp_TransactionNo"] = "99999999"  # any change breaks the signature
    query = urllib.parse.urlencode(forged)
    assert _ipn(str(live_server), query) == {"RspCode": "97", "Message": "Invalid signature"}
    response = client_for(personas.citizen).get(f"/thanh-toan/ket-qua/?{query}")
    assert response.status_code == 400
    assert "sai chữ ký" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and handled.calls == []
    refused = PaymentEvent.objects.filter(outcome=Outcome.BAD_SIGNATURE)
    assert refused.count() == 2 and not refused.filter(payment__isnull=False).exists()
    kept = refused.values_list("raw_params", flat=True)[0]
    assert kept["vnp_TransactionNo"] == "99999999"  # kept as received
    assert AuditEvent.objects.filter(action="payment.bad_signature").count() == 2


def test_signed_with_another_secret_is_refused(
    personas: Personas, paygate_live: Paygate, handled: Handled, live_server: object
) -> None:
    payment, url = start(personas.citizen)
    paygate_live.pay(url, ipn="hold")
    paygate_live.gateway.secret = "mot-bi-mat-khac"
    assert paygate_live.gateway.send_ipn(payment.txn_ref)["RspCode"] == "97"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and handled.calls == []


def test_amount_other_than_the_order_is_never_paid(
    personas: Personas, paygate_live: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen, amount=50_000)
    location = paygate_live.pay(url, reported_amount="500000")  # 5.000 đồng, signed
    assert paygate_live.gateway.ipn_answers[0][1] == {"RspCode": "04", "Message": "Invalid amount"}
    response = browser_back(client_for(personas.citizen), location)
    assert response.status_code == 302
    shown = shown_messages(response)
    assert "không khớp" in shown[0]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and handled.calls == []
    assert _events(payment) == [
        ("ipn", Outcome.AMOUNT_MISMATCH),
        ("return", Outcome.AMOUNT_MISMATCH),
    ]
    assert AuditEvent.objects.filter(action="payment.amount_mismatch").count() == 2


def test_unknown_order(
    personas: Personas, paygate_live: Paygate, handled: Handled, live_server: object
) -> None:
    # Correctly signed by the gateway, but for an order this platform never made.
    query = paygate_live.gateway.signed_query(
        {"vnp_TmnCode": "KIEMTHU1", "vnp_TxnRef": "KHONGCO123", "vnp_Amount": "5000000",
         "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00", "vnp_TransactionNo": "1"}
    )  # fmt: skip
    assert _ipn(str(live_server), query) == {"RspCode": "01", "Message": "Order not found"}
    response = client_for(personas.citizen).get(f"/thanh-toan/ket-qua/?{query}")
    assert response.status_code == 400 and "Không tìm thấy" in response.content.decode()
    event = PaymentEvent.objects.get(txn_ref="KHONGCO123", source="ipn")
    assert event.payment is None and event.signature_valid and event.outcome == Outcome.NOT_FOUND


def test_two_tabs_one_reference_both_paid(
    personas: Personas, paygate_live: Paygate, handled: Handled
) -> None:
    """Two payment tabs for one draft, both paid at the gateway: the draft is paid once; the
    second payment is kept, marked for refund, and audited (ADR 0010)."""
    first, first_url = start(personas.citizen)
    second, second_url = start(personas.citizen)
    paygate_live.pay(first_url)
    location = paygate_live.pay(second_url)
    assert [answer["RspCode"] for _, answer in paygate_live.gateway.ipn_answers] == ["00", "00"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Payment.Status.PAID
    assert second.status == Payment.Status.REFUND_NEEDED and second.paid_at is not None
    assert second.gateway_transaction_no  # what the refund at the gateway needs
    assert handled.calls == [first.txn_ref]
    assert _events(second) == [("ipn", Outcome.REFUND_NEEDED)]
    assert AuditEvent.objects.filter(
        action="payment.refund_needed", object_id=str(second.pk)
    ).exists()
    response = browser_back(client_for(personas.citizen), location)
    shown = shown_messages(response)
    assert "hoàn trả" in shown[0]


def test_a_failing_handler_leaves_everything_unpaid(
    personas: Personas, paygate_live: Paygate, handled: Handled
) -> None:
    """The handler runs in the transaction that marks the payment paid: if it fails, neither
    the payment nor the handler's own writes are kept, and the gateway is told to retry."""
    handled.fail = True
    payment, url = start(personas.citizen)
    paygate_live.pay(url)
    assert paygate_live.gateway.ipn_answers[0][1] == {"RspCode": "99", "Message": "Unknown error"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not AuditEvent.objects.filter(action__in=["kiemthu.paid", "payment.paid"]).exists()
    assert _events(payment) == [("ipn", Outcome.ERROR)]
    # Once the domain side is fixed, the gateway's retry goes through.
    handled.fail = False
    assert paygate_live.gateway.send_ipn(payment.txn_ref)["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and handled.calls == [payment.txn_ref]


def test_return_without_next_shows_the_result_page(
    personas: Personas, paygate_live: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen, return_url="")
    location = paygate_live.pay(url)
    response = browser_back(client_for(personas.citizen), location)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thanh toán thành công." in page and "50.000 đồng" in page
    assert f"/thanh-toan/{payment.pk}/bien-lai/" in page
    # Somebody else following the same link sees the result but no receipt link.
    other = browser_back(client_for(personas.citizen_b), location).content.decode()
    assert "Thanh toán thành công." in other and "bien-lai" not in other
