"""The postal operator's status callbacks (`POST /api/v1/postal/callbacks`): signed by the test
operator's own HMAC code, recorded once per event id; a bad signature, a stale timestamp or a
malformed body is a structured 4xx and records nothing. One journey goes over real HTTP: the
operator posts to the live server."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chinhquyen.dossiers import postal
from chinhquyen.dossiers.models import Dossier, Shipment, ShipmentEvent
from chinhquyen.integrations.postal.client import PostalClient
from chinhquyen.integrations.postal.testserver import Operator
from chinhquyen.notifications.models import OutboxMessage
from tests.conftest import client_for
from tests.dossiers.backoffice.conftest import World, act, fresh
from tests.dossiers.postal.conftest import (
    MONDAY,
    callback,
    ready_to_return,
    shipment_of,
    signed_post,
)

pytestmark = pytest.mark.usefixtures("eager")
Kind = ShipmentEvent.Kind


@pytest.fixture
def booked(world: World, operator: Operator, committed: Any) -> Shipment:
    dossier = ready_to_return(world)
    with committed():
        act(dossier, "return_result", world.officer, MONDAY, method="post")
    shipment = shipment_of(dossier)
    assert shipment.status == Shipment.Status.BOOKED
    return shipment


def _operator_events(shipment: Shipment) -> int:
    return shipment.events.exclude(operator_event_id=None).count()


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"], body


def test_pickup_and_delivery_recorded(booked: Shipment, operator: Operator) -> None:
    answer = callback(operator, booked.reference, "picked_up")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"received": True, "duplicate": False, "status": "picked_up"}
    delivered = callback(operator, booked.reference, "delivered", event_id="phat-1")
    assert delivered.json()["status"] == "delivered"
    booked.refresh_from_db()
    assert booked.status == Shipment.Status.DELIVERED and booked.delivered_at is not None
    kinds = list(booked.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.HANDED_OVER, Kind.BOOKED, Kind.PICKED_UP, Kind.DELIVERED]
    event = booked.events.get(kind=Kind.DELIVERED)
    assert event.operator_event_id == "phat-1" and event.data["waybill"] == booked.waybill
    # The dossier was returned at the hand-over (ADR 0020); delivery does not move it again.
    dossier = Dossier.objects.get(pk=booked.dossier_id)
    assert dossier.status == 10 and dossier.transitions.count() == 8


def test_the_same_event_twice_is_recorded_once(booked: Shipment, operator: Operator) -> None:
    callback(operator, booked.reference, "delivered", event_id="phat-1")
    again = callback(operator, booked.reference, "delivered", event_id="phat-1")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert _operator_events(booked) == 1


def test_returned_to_sender_and_no_going_back(booked: Shipment, operator: Operator) -> None:
    callback(operator, booked.reference, "returned")
    late = callback(operator, booked.reference, "picked_up")  # arrives out of order
    assert late.status_code == 200 and late.json()["status"] == "returned"
    booked.refresh_from_db()
    assert booked.status == Shipment.Status.RETURNED and _operator_events(booked) == 2


def test_bad_signature_records_nothing(booked: Shipment, operator: Operator) -> None:
    body = operator.event_body(booked.reference, "delivered")
    stamp = str(int(time.time()))
    forged = Operator(api_key="x", callback_secret="bi-mat-khac").signature(stamp, body)
    _refused(signed_post(Client(), body, forged, stamp), 401, "bad_signature")
    _refused(signed_post(Client(), body, "", stamp), 401, "bad_signature")
    # Signed, then changed on the way: the signature covers the body.
    good = operator.signature(stamp, body)
    tampered = body.replace(b'"delivered"', b'"returned"')
    _refused(signed_post(Client(), tampered, good, stamp), 401, "bad_signature")
    # ...and the timestamp.
    _refused(signed_post(Client(), body, good, str(int(stamp) + 1)), 401, "bad_signature")
    booked.refresh_from_db()
    assert booked.status == Shipment.Status.BOOKED and _operator_events(booked) == 0


def test_stale_callback_refused(booked: Shipment, operator: Operator) -> None:
    body = operator.event_body(booked.reference, "delivered")
    stamp = str(int(time.time()) - 3600)  # an hour old: a replay
    _refused(signed_post(Client(), body, operator.signature(stamp, body), stamp), 400,
             "stale_callback")  # fmt: skip
    assert _operator_events(booked) == 0


def _signed(operator: Operator, body: bytes) -> Any:
    stamp = str(int(time.time()))
    return signed_post(Client(), body, operator.signature(stamp, body), stamp)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda e: b"khong phai json", 400, "invalid_json"),
        (lambda e: b"[1, 2]", 400, "invalid_body"),
        (lambda e: _json({**e, "status": "lost"}), 400, "invalid_status"),
        (lambda e: _json({**e, "event_id": ""}), 400, "invalid_body"),
        (lambda e: _json({**e, "event_id": 7}), 400, "invalid_body"),
        (lambda e: _json({**e, "occurred_at": "2026-03-02 10:00"}), 400, "invalid_body"),
        (lambda e: _json({**e, "reference": "KQ-khong-co"}), 404, "unknown_shipment"),
        (lambda e: _json({**e, "waybill": "EB999999995VN"}), 409, "waybill_mismatch"),
        (lambda e: _json({**e, "waybill": "EB" + "9" * 60 + "VN"}), 400, "invalid_waybill"),
        (lambda e: _json({**e, "waybill": "EB123456789VN"}), 400, "invalid_waybill"),
    ],
)
def test_malformed_signed_callbacks_refused(
    booked: Shipment, operator: Operator, change: Any, status: int, code: str
) -> None:
    event = json.loads(operator.event_body(booked.reference, "delivered"))
    _refused(_signed(operator, change(event)), status, code)
    booked.refresh_from_db()
    assert booked.status == Shipment.Status.BOOKED and _operator_events(booked) == 0


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def test_without_headers_or_secret(booked: Shipment, operator: Operator, settings: Any) -> None:
    body = operator.event_body(booked.reference, "delivered")
    bare = Client().post("/api/v1/postal/callbacks", data=body, content_type="application/json")
    _refused(bare, 401, "bad_signature")
    settings.POSTAL_CALLBACK_SECRET = ""
    _refused(_signed(operator, body), 401, "postal_off")
    assert _operator_events(booked) == 0


def test_staff_session_is_no_signature(booked: Shipment, operator: Operator, world: World) -> None:
    """An officer (even of the agency) cannot post a status: only the operator's key signs."""
    body = operator.event_body(booked.reference, "delivered")
    officer = client_for(world.officer).post(
        "/api/v1/postal/callbacks", data=body, content_type="application/json"
    )
    _refused(officer, 401, "bad_signature")


@pytest.mark.django_db(transaction=True)
def test_operator_calls_back_over_http(
    world: World, operator: Operator, settings: Any, live_server: Any
) -> None:
    """The whole round trip on the wire: the order (after the real commit) names our callback
    URL on the live server, and the operator posts its signed events there."""
    settings.POSTAL_PUBLIC_BASE_URL = live_server.url
    dossier = ready_to_return(world)
    act(dossier, "return_result", world.officer, MONDAY, method="post")  # commits: booked
    shipment = shipment_of(fresh(dossier))
    assert shipment.status == Shipment.Status.BOOKED
    assert operator.send_event(shipment.reference, "picked_up")[0] == 200
    code, answer = operator.send_event(shipment.reference, "delivered")
    assert code == 200 and answer["status"] == "delivered"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED


def test_callback_for_an_order_whose_answer_was_lost(
    world: World, operator: Operator, settings: Any
) -> None:
    """The operator booked the order but our side never heard the answer (still pending): its
    signed callback carries the waybill, which is recorded and told to the citizen once."""
    dossier = ready_to_return(world)
    act(dossier, "return_result", world.officer, MONDAY, method="post")  # not dispatched
    shipment = shipment_of(dossier)
    booking = PostalClient(settings.POSTAL_API_URL, settings.POSTAL_API_KEY).create_shipment(
        postal.order_of(shipment)
    )
    assert callback(operator, shipment.reference, "picked_up").status_code == 200
    shipment.refresh_from_db()
    assert shipment.waybill == booking.waybill and shipment.status == Shipment.Status.PICKED_UP
    kinds = list(shipment.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.HANDED_OVER, Kind.BOOKED, Kind.PICKED_UP]
    told = OutboxMessage.objects.filter(template_code="dossier.sent_by_post")
    assert told.count() == 2 and all(booking.waybill in m.body for m in told)
    # The late task finds nothing left to order.
    assert postal.do_book_shipment(shipment.pk).outcome == "skipped"
    assert len(operator.requests) == 1


def test_a_worker_holding_the_order_is_not_doubled(world: World, operator: Operator) -> None:
    """A second run while another worker holds the claim sends nothing; a claim left by a worker
    that stopped is taken over after the stuck delay."""
    dossier = ready_to_return(world)
    act(dossier, "return_result", world.officer, MONDAY, method="post")
    shipment = shipment_of(dossier)
    now = timezone.now()
    Shipment.objects.filter(pk=shipment.pk).update(claimed_at=now)
    assert postal.do_book_shipment(shipment.pk, now=now).outcome == "skipped"
    assert operator.requests == []
    later = now + postal.STUCK_AFTER + timedelta(seconds=1)
    assert postal.do_book_shipment(shipment.pk, now=later).outcome == "booked"
    assert len(operator.requests) == 1 and fresh(dossier).shipments.get().waybill
