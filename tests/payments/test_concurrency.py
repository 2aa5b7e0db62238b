"""Concurrent notifications on PostgreSQL (the SQLite test database is one in-memory connection,
so it cannot race): the same IPN delivered twice at once, and two payments of one reference
confirmed at once. Each request runs on its own connection in the live server; the handler
sleeps inside the transaction to keep the race window wide open."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection

from chinhquyen.payments.models import Payment, PaymentEvent
from tests.conftest import Personas
from tests.payments.conftest import Handled, Paygate, http_get, start

pytestmark = pytest.mark.postgres


def _deliver_at_once(live_url: str, queries: list[str]) -> list[dict[str, Any]]:
    barrier = threading.Barrier(len(queries))
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def deliver(query: str) -> None:
        try:
            barrier.wait()
            status, body = http_get(f"{live_url}/thanh-toan/ipn/?{query}")
            assert status == 200
            answers.append(json.loads(body))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(query,)) for query in queries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return answers


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (the SQLite test database is in memory)")


def test_the_same_ipn_twice_at_once_applies_once(
    on_postgres: None, personas: Personas, paygate_live: Paygate, handled: Handled,
    live_server: Any,
) -> None:  # fmt: skip
    handled.delay = 0.5
    payment, url = start(personas.citizen)
    paygate_live.pay(url, ipn="hold")
    query = paygate_live.gateway.ipn_query(payment.txn_ref)
    answers = _deliver_at_once(str(live_server), [query, query])
    assert sorted(answer["RspCode"] for answer in answers) == ["00", "02"]
    assert handled.calls == [payment.txn_ref]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    outcomes = sorted(payment.events.values_list("outcome", flat=True))
    assert outcomes == [PaymentEvent.Outcome.ALREADY_CONFIRMED, PaymentEvent.Outcome.CONFIRMED]


def test_two_payments_of_one_reference_confirmed_at_once(
    on_postgres: None, personas: Personas, paygate_live: Paygate, handled: Handled,
    live_server: Any,
) -> None:  # fmt: skip
    handled.delay = 0.5
    first, first_url = start(personas.citizen)
    second, second_url = start(personas.citizen)
    paygate_live.pay(first_url, ipn="hold")
    paygate_live.pay(second_url, ipn="hold")
    queries = [paygate_live.gateway.ipn_query(p.txn_ref) for p in (first, second)]
    answers = _deliver_at_once(str(live_server), queries)
    assert [answer["RspCode"] for answer in answers] == ["00", "00"]
    statuses = sorted(Payment.objects.values_list("status", flat=True))
    assert statuses == [Payment.Status.PAID, Payment.Status.REFUND_NEEDED]
    assert len(handled.calls) == 1
    paid = Payment.objects.get(status=Payment.Status.PAID)
    assert handled.calls == [paid.txn_ref]
