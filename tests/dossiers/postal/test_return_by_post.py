"""Returning a result by post (Decision 45/2016/QĐ-TTg, ADR 0020): the officer records the
hand-over, the dossier is returned (status 10) with its shipment in the same transaction, and the
order goes to the test postal operator over HTTP after commit; the waybill comes back and is
shown to the officer and the citizen. The operator down or its answer lost: retried, one
waybill. Without postal delivery (or address, or operator): refused, nothing recorded."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chinhquyen.audit.models import AuditEvent
from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers import postal
from chinhquyen.dossiers.models import Dossier, Shipment, ShipmentEvent, Status
from chinhquyen.dossiers.tasks import book_return_shipment
from chinhquyen.integrations.postal.protocol import is_waybill
from chinhquyen.integrations.postal.testserver import Operator
from chinhquyen.notifications.models import MessageTemplate, OutboxMessage
from tests.conftest import client_for
from tests.dossiers.backoffice.conftest import APPLICANT, World, act, actions_of, fresh
from tests.dossiers.postal.conftest import (
    ADDRESS,
    MONDAY,
    ready_to_return,
    shipment_of,
)

pytestmark = pytest.mark.usefixtures("eager")
Kind = ShipmentEvent.Kind


def _messages(dossier: Dossier, template: str) -> list[OutboxMessage]:
    rows = OutboxMessage.objects.filter(template_code=template, dedupe_key__contains=dossier.code)
    return list(rows.order_by("channel"))


def _kinds(shipment: Shipment) -> list[str]:
    return list(shipment.events.order_by("pk").values_list("kind", flat=True))


def _return_by_post(world: World, dossier: Dossier, **data: Any) -> None:
    act(dossier, "return_result", world.officer, MONDAY, method="post", **data)


def test_booking_gives_a_waybill_shown_to_officer_and_citizen(
    world: World, operator: Operator, committed: Any
) -> None:
    citizen = world.people.citizen
    dossier = ready_to_return(world, applicant=dataclasses.replace(APPLICANT, account=citizen))
    with committed():
        _return_by_post(world, dossier)
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED and dossier.returned_at == MONDAY
    row = dossier.transitions.get(action="return_result")
    assert row.data["method"] == "post" and row.data["shipment"] == f"KQ-{dossier.code}"
    shipment = shipment_of(dossier)
    assert shipment.status == Shipment.Status.BOOKED and is_waybill(shipment.waybill)
    assert shipment.attempts == 1 and _kinds(shipment) == [Kind.HANDED_OVER, Kind.BOOKED]
    # What the operator received: the reference as idempotency key, the agency as sender, the
    # citizen as receiver; the citizen pays the postage.
    [(key, outcome)] = operator.requests
    assert key == shipment.reference and outcome == "201"
    order = operator.shipments[key]["order"]
    assert operator.shipments[key]["waybill"] == shipment.waybill
    assert order["receiver"] == {"name": APPLICANT.name, "phone": APPLICANT.phone,
                                 "address": ADDRESS}  # fmt: skip
    assert order["sender"]["code"] == world.province.agency_a.identifier_code
    assert order["contents"] == f"Kết quả giải quyết TTHC, hồ sơ {dossier.code}"
    assert order["postage_paid_by"] == "receiver" and order["cod_amount"] == 0
    assert order["callback_url"] == "http://testserver/api/v1/postal/callbacks"
    # The citizen is told the waybill (e-mail and SMS), instead of the counter's "returned".
    sent = _messages(dossier, "dossier.sent_by_post")
    assert [m.channel for m in sent] == ["email", "sms"]
    assert all(shipment.waybill in m.body for m in sent)
    assert _messages(dossier, "dossier.returned") == []
    staff_page = client_for(world.officer).get(
        reverse("dossiers:staff_dossier", args=[dossier.code])
    )
    assert shipment.waybill in staff_page.content.decode()
    own_page = client_for(citizen).get(reverse("tracking:my_dossier", args=[dossier.code]))
    assert own_page.status_code == 200 and shipment.waybill in own_page.content.decode()
    own_api = client_for(citizen).get(f"/api/v1/dossiers/{dossier.code}").json()
    assert own_api["shipments"][0]["waybill"] == shipment.waybill


def test_the_order_waits_for_the_commit(world: World, operator: Operator) -> None:
    """Nothing goes to the operator from inside the transaction; a rolled-back return leaves
    neither shipment nor order."""
    dossier = ready_to_return(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        _return_by_post(world, dossier)
        assert Shipment.objects.filter(dossier=dossier).exists()
        raise RuntimeError("the request failed after the action")
    assert not Shipment.objects.filter(dossier=dossier).exists()
    assert fresh(dossier).status == Status.DONE
    _return_by_post(world, dossier)  # committed by nobody in this test: not dispatched
    assert shipment_of(dossier).status == Shipment.Status.PENDING
    assert operator.requests == []


def test_operator_down_is_retried_and_books_once(
    world: World, operator: Operator, committed: Any
) -> None:
    operator.fail_next = 2
    dossier = ready_to_return(world)
    with committed():
        _return_by_post(world, dossier)
    shipment = shipment_of(dossier)
    assert [outcome for _, outcome in operator.requests] == ["503", "503", "201"]
    assert {key for key, _ in operator.requests} == {shipment.reference}
    assert len(operator.shipments) == 1
    assert shipment.status == Shipment.Status.BOOKED and shipment.attempts == 3
    assert _kinds(shipment) == [Kind.HANDED_OVER, Kind.ATTEMPT_FAILED, Kind.ATTEMPT_FAILED,
                                Kind.BOOKED]  # fmt: skip
    failed = shipment.events.filter(kind=Kind.ATTEMPT_FAILED).first()
    assert failed is not None and "HTTP 503" in failed.note
    assert len(_messages(dossier, "dossier.sent_by_post")) == 2  # one e-mail, one SMS


def test_lost_answer_retried_gives_the_same_waybill(
    world: World, operator: Operator, committed: Any
) -> None:
    """The operator booked the order but the answer never came back: the retry sends the same
    reference, and the operator answers the waybill it already gave (HTTP 200)."""
    operator.drop_next = 1
    dossier = ready_to_return(world)
    with committed():
        _return_by_post(world, dossier)
    shipment = shipment_of(dossier)
    assert [outcome for _, outcome in operator.requests] == ["dropped", "200"]
    assert len(operator.shipments) == 1
    assert shipment.waybill == operator.shipments[shipment.reference]["waybill"]
    booked = shipment.events.get(kind=Kind.BOOKED)
    assert booked.data == {"waybill": shipment.waybill, "replayed": True}


def test_task_run_twice_sends_nothing_more(
    world: World, operator: Operator, committed: Any
) -> None:
    dossier = ready_to_return(world)
    with committed():
        _return_by_post(world, dossier)
    shipment = shipment_of(dossier)
    assert book_return_shipment.apply(args=(shipment.pk,)).get() == "skipped"
    assert len(operator.requests) == 1
    assert ShipmentEvent.objects.filter(shipment=shipment, kind=Kind.BOOKED).count() == 1


def test_retries_used_up_the_sweep_books_later(
    world: World, operator: Operator, committed: Any
) -> None:
    operator.fail_next = 100
    dossier = ready_to_return(world)
    with committed():
        _return_by_post(world, dossier)
    shipment = shipment_of(dossier)
    assert shipment.status == Shipment.Status.PENDING and shipment.attempts == 6
    assert shipment.next_attempt_at is not None and shipment.next_attempt_at > timezone.now()
    assert postal.do_sweep_shipments() == []  # not due yet
    operator.fail_next = 0
    with committed():
        swept = postal.do_sweep_shipments(now=timezone.now() + timedelta(hours=2))
    assert swept == [shipment.pk]
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.BOOKED and len(operator.shipments) == 1


def test_refused_order_is_marked_failed_for_the_office(
    world: World, operator: Operator, committed: Any, settings: Any
) -> None:
    settings.POSTAL_API_KEY = "khoa-sai"
    dossier = ready_to_return(world)
    with committed():
        _return_by_post(world, dossier)
    shipment = shipment_of(dossier)
    assert [outcome for _, outcome in operator.requests] == ["401"]  # not retried
    assert shipment.status == Shipment.Status.FAILED and "HTTP 401" in shipment.last_error
    assert _kinds(shipment) == [Kind.HANDED_OVER, Kind.FAILED]
    page = client_for(world.officer).get(reverse("dossiers:staff_dossier", args=[dossier.code]))
    assert "Không gửi được đơn cho bưu chính" in page.content.decode()


def test_counter_return_still_works(world: World, operator: Operator, committed: Any) -> None:
    dossier = ready_to_return(world)  # asked for post, but came to the counter
    with committed():
        act(dossier, "return_result", world.officer, MONDAY, collected_by="Lê Văn Cường")
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED
    assert dossier.transitions.get(action="return_result").data["collected_by"] == "Lê Văn Cường"
    assert not Shipment.objects.exists() and operator.requests == []
    assert [m.channel for m in _messages(dossier, "dossier.returned")] == ["email", "sms"]


def _refused_with_nothing_recorded(world: World, dossier: Dossier, message: str,
                                   **data: Any) -> None:  # fmt: skip
    before = actions_of(dossier)
    with pytest.raises(DomainError, match=message):
        _return_by_post(world, dossier, **data)
    assert actions_of(dossier) == before and fresh(dossier).status == Status.DONE
    assert not Shipment.objects.filter(dossier=dossier).exists()


def test_no_postal_delivery_option_cannot_go_by_post(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world, delivery_option="counter", delivery_address="")
    _refused_with_nothing_recorded(world, dossier, "không đăng ký nhận kết quả qua dịch vụ bưu")
    assert operator.requests == []


def test_no_address_cannot_go_by_post(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world, delivery_address="   ")
    _refused_with_nothing_recorded(world, dossier, "chưa có địa chỉ nhận kết quả")


def test_no_operator_configured(world: World, settings: Any) -> None:
    settings.POSTAL_API_URL = None
    dossier = ready_to_return(world)
    _refused_with_nothing_recorded(world, dossier, "Chưa kết nối với đơn vị bưu chính")


@pytest.mark.parametrize("amount", ["abc", "-5", "1,5", "12.34", "9" * 20])
def test_bad_cod_amount_refused(world: World, operator: Operator, amount: str) -> None:
    dossier = ready_to_return(world)
    _refused_with_nothing_recorded(world, dossier, "thu hộ", cod_amount=amount)


def test_cod_amount_at_most_the_fee_still_owed(
    world: World, operator: Operator, committed: Any
) -> None:
    dossier = ready_to_return(world)
    Dossier.objects.filter(pk=dossier.pk).update(fee_total=50_000, paid_amount=20_000)
    dossier = fresh(dossier)
    _refused_with_nothing_recorded(world, dossier, r"30\.000 đồng", cod_amount="30.001")
    with committed():
        _return_by_post(world, dossier, cod_amount="30.000")
    assert operator.shipments[f"KQ-{dossier.code}"]["order"]["cod_amount"] == 30_000


def test_unknown_method_refused(world: World, operator: Operator) -> None:
    dossier = ready_to_return(world)
    with pytest.raises(DomainError, match="Chọn hình thức trả kết quả"):
        act(dossier, "return_result", world.officer, MONDAY, method="fax")
    assert fresh(dossier).status == Status.DONE


def test_the_shipment_sweep_is_on_the_beat_schedule() -> None:
    from chinhquyen.celery import app as project_app
    from chinhquyen.dossiers.tasks import SWEEP_SHIPMENTS_TASK

    entry = project_app.conf.beat_schedule["dossiers-sweep-shipments"]
    assert entry == {"task": SWEEP_SHIPMENTS_TASK, "schedule": 300.0}
    assert SWEEP_SHIPMENTS_TASK in project_app.tasks


def test_the_waybill_is_kept_when_its_message_cannot_be_written(
    world: World, operator: Operator, committed: Any
) -> None:
    """A template missing (loaded by a separate deploy step) must not lose the operator's
    waybill and leave the order retried for ever: the waybill stays, the failure is audited."""
    dossier = ready_to_return(world)
    MessageTemplate.objects.filter(code="dossier.sent_by_post").delete()
    with committed():
        _return_by_post(world, dossier)
    shipment = shipment_of(dossier)
    assert shipment.status == Shipment.Status.BOOKED and shipment.waybill
    assert AuditEvent.objects.filter(action="dossiers.shipment_notice_failed").count() == 1
    assert not _messages(dossier, "dossier.sent_by_post")
