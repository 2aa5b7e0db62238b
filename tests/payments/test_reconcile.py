"""Reconciliation: payments still pending after N minutes are asked about with `querydr` over
HTTP; a payment paid at the gateway whose IPN was lost becomes paid, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.payments.actions import do_reconcile_pending_payments, do_record_gateway_result
from chinhquyen.payments.gateway import gateway_client
from chinhquyen.payments.models import Payment, PaymentEvent
from chinhquyen.payments.tasks import reconcile_pending_payments
from tests.conftest import Personas
from tests.notifications.servers import closed_port
from tests.payments.conftest import Handled, Paygate, start

Outcome = PaymentEvent.Outcome


def _later(minutes: int) -> Any:
    return timezone.now() + timedelta(minutes=minutes)


def _ipn_params(paygate: Paygate, txn_ref: str) -> dict[str, str]:
    return dict(parse_qsl(paygate.gateway.ipn_query(txn_ref)))


def test_a_payment_whose_ipn_was_lost_is_found_paid(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen)
    paygate.pay(url, ipn="hold")  # paid; the IPN never arrives and the browser never returns
    too_early = do_reconcile_pending_payments(now=_later(5))
    assert too_early.checked == [] and paygate.gateway.queries == []
    report = do_reconcile_pending_payments(now=_later(16))
    assert report.checked == report.decided == [payment.txn_ref]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and handled.calls == [payment.txn_ref]
    assert (
        payment.gateway_transaction_no
        == paygate.gateway.transactions[payment.txn_ref]["vnp_TransactionNo"]
    )
    query = paygate.gateway.queries[0]
    assert query["vnp_Command"] == "querydr" and query["vnp_TxnRef"] == payment.txn_ref
    assert query["vnp_TransactionDate"] == timezone.localtime(payment.created_at).strftime(
        "%Y%m%d%H%M%S"
    )
    assert list(payment.events.values_list("source", "outcome")) == [("query", Outcome.CONFIRMED)]


def test_running_twice_changes_nothing_more(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen)
    paygate.pay(url, ipn="hold")
    do_reconcile_pending_payments(now=_later(16))
    second = do_reconcile_pending_payments(now=_later(17))
    assert second.checked == []  # no longer pending: not even asked
    # A late IPN after reconciliation is "already confirmed".
    late = do_record_gateway_result(_ipn_params(paygate, payment.txn_ref), source="ipn")
    assert late.rsp_code == "02" and handled.calls == [payment.txn_ref]


def test_the_celery_task_runs_the_same_action(
    personas: Personas, paygate: Paygate, handled: Handled, settings: Any
) -> None:
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 1
    payment, url = start(personas.citizen)
    paygate.pay(url, ipn="hold")
    Payment.objects.filter(pk=payment.pk).update(created_at=_later(-2))
    assert reconcile_pending_payments.apply().get() == {
        "checked": 1, "decided": 1, "expired": 0, "unreachable": 0, "refused": 0,
    }  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_never_paid_and_expired_is_closed(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, _ = start(personas.citizen)  # the citizen closed the tab at the gateway
    early = do_reconcile_pending_payments(now=_later(20))  # asked, but not yet past expiry+grace
    assert early.checked == [payment.txn_ref] and early.expired == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    report = do_reconcile_pending_payments(now=_later(31))
    assert report.expired == [payment.txn_ref]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert list(payment.events.order_by("id").values_list("outcome", flat=True)) == [
        Outcome.UNDECIDED, Outcome.UNDECIDED, Outcome.EXPIRED,
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="payment.expired", object_id=str(payment.pk)).exists()


def test_money_taken_after_expiry_still_counts(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    """The gateway's signed success is never ignored, even for a payment we closed."""
    payment, url = start(personas.citizen)
    paygate.pay(url, ipn="hold")
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CANCELLED)
    outcome = do_record_gateway_result(_ipn_params(paygate, payment.txn_ref), source="ipn")
    assert outcome.rsp_code == "00" and outcome.is_paid and handled.calls == [payment.txn_ref]


def test_unreachable_gateway_is_reported_and_retried_later(
    personas: Personas, paygate: Paygate, handled: Handled, settings: Any
) -> None:
    payment, url = start(personas.citizen)
    paygate.pay(url, ipn="hold")
    good = settings.PAYMENT_QUERY_URL
    settings.PAYMENT_QUERY_URL = f"http://127.0.0.1:{closed_port()}/merchant_webapi/api/transaction"
    report = do_reconcile_pending_payments(now=_later(16))
    assert report.unreachable == [payment.txn_ref] and report.decided == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and not payment.events.exists()
    settings.PAYMENT_QUERY_URL = good
    assert do_reconcile_pending_payments(now=_later(21)).decided == [payment.txn_ref]


def test_a_forged_query_answer_is_refused(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen)
    paygate.pay(url, action="cancel", ipn="hold")
    answer = gateway_client().query(
        txn_ref=payment.txn_ref, transaction_date=payment.created_at, client_ip="127.0.0.1",
        now=timezone.now(),
    )  # fmt: skip
    assert answer["vnp_TransactionStatus"] == "02"
    forged = do_record_gateway_result({**answer, "vnp_TransactionStatus": "00"}, source="query")
    assert forged.rsp_code == "97" and handled.calls == []
    genuine = do_record_gateway_result(answer, source="query")
    assert genuine.rsp_code == "00"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert list(payment.events.values_list("outcome", flat=True)) == [Outcome.CONFIRMED]
    assert PaymentEvent.objects.get(outcome=Outcome.BAD_SIGNATURE).source == "query"


def test_a_gateway_refusing_our_query_is_reported(
    personas: Personas, paygate: Paygate, handled: Handled
) -> None:
    payment, url = start(personas.citizen)
    paygate.pay(url, ipn="hold")
    paygate.gateway.secret = "bi-mat-khac"  # e.g. the secret was rotated at the gateway only
    report = do_reconcile_pending_payments(now=_later(16))
    assert report.unreachable == [payment.txn_ref] and report.decided == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_nothing_pending_needs_no_gateway(settings: Any, db: None) -> None:
    settings.PAYMENT_GATEWAY_URL = None  # payments off: the beat task must not fail
    assert do_reconcile_pending_payments().checked == []
