"""Two workers at once, each on its own PostgreSQL connection (the SQLite test database is one
in-memory connection, so it cannot race): two runs of the booking task send one order, and the
same operator event delivered twice at the same moment is recorded once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection

from chinhquyen.dossiers import postal
from chinhquyen.dossiers.models import Shipment, ShipmentEvent
from chinhquyen.integrations.postal.client import read_callback
from chinhquyen.integrations.postal.testserver import Operator
from tests.dossiers.backoffice.conftest import World, act
from tests.dossiers.postal.conftest import MONDAY, ready_to_return, shipment_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager"),
]


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (the SQLite test database is in memory)")


def _at_once(call: Callable[[], Any], times: int = 2) -> list[Any]:
    barrier = threading.Barrier(times)
    outcomes: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(call())
        except BaseException as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _pending(world: World, operator: Operator) -> Shipment:
    """Handed over and committed while the operator is down: the order waits, unclaimed."""
    operator.fail_next = 100
    dossier = ready_to_return(world)
    act(dossier, "return_result", world.officer, MONDAY, method="post")
    shipment = shipment_of(dossier)
    assert shipment.status == Shipment.Status.PENDING and shipment.claimed_at is None
    operator.fail_next = 0
    operator.requests.clear()
    return shipment


def test_two_workers_send_one_order(on_postgres: None, world: World, operator: Operator) -> None:
    shipment = _pending(world, operator)
    outcomes = _at_once(lambda: postal.do_book_shipment(shipment.pk).outcome)
    assert sorted(outcomes) == ["booked", "skipped"], outcomes
    assert [outcome for _, outcome in operator.requests] == ["201"]
    assert ShipmentEvent.objects.filter(shipment=shipment, kind="booked").count() == 1


def test_the_same_event_at_once_is_recorded_once(
    on_postgres: None, world: World, operator: Operator
) -> None:
    shipment = _pending(world, operator)
    assert postal.do_book_shipment(shipment.pk).outcome == "booked"
    body = operator.event_body(shipment.reference, "delivered", event_id="phat-dong-thoi")
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    event = read_callback(body, timestamp=stamp, signature=operator.signature(stamp, body),
                          secret=operator.callback_secret, now=now)  # fmt: skip
    outcomes = _at_once(lambda: postal.do_record_postal_event(event)[1])
    assert sorted(outcomes) == [False, True], outcomes
    assert ShipmentEvent.objects.filter(operator_event_id="phat-dong-thoi").count() == 1
    assert json.loads(body)["waybill"] == Shipment.objects.get(pk=shipment.pk).waybill
