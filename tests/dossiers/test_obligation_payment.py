"""Status 6 paid online: the applicant pays at the test gateway (over HTTP) what the office asked;
the payment handler records `record_payment` through the engine, by the system, once. Money that
arrives when the dossier no longer waits for that obligation is kept and flagged for refund,
never a second transition; a wrong amount records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from chinhquyen.audit.models import AuditEvent
from chinhquyen.dossiers import actions
from chinhquyen.dossiers.models import Dossier, OnlinePayment, Status
from chinhquyen.dossiers.obligations import do_start_obligation_payment
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from chinhquyen.org.models import Role, User
from chinhquyen.payments.actions import REFUND_TEXT
from chinhquyen.payments.models import Payment
from chinhquyen.procedures.models import ProcedureVersion
from tests import dossier_helpers as h
from tests.conftest import Personas, Province, client_for
from tests.payments import conftest as pay
from tests.payments.conftest import Paygate, browser_back, shown_messages
from tests.payments.conftest import paygate_live as paygate_live  # IPN over HTTP

ASKED = 1_500_000


@pytest.fixture
def gateway(settings: Any) -> Iterator[Paygate]:
    """The test gateway over HTTP; its IPN is delivered by the tests (`_ipn`)."""
    yield from pay._paygate(settings, ipn_url="", site="http://testserver")


@pytest.fixture
def version(province: Province) -> ProcedureVersion:
    load_default_templates()
    return h.publish_procedure(province.agency_a)


@pytest.fixture
def waiting(version: ProcedureVersion, personas: Personas) -> Dossier:
    """The citizen's online dossier, in status 6: 1.500.000 đồng asked at appraisal."""
    return h.request_payment(h.submitted_dossier(personas.citizen, version), money=ASKED)


def _start(dossier: Dossier, citizen: User) -> tuple[Payment, str]:
    return do_start_obligation_payment(
        dossier,
        acting_user=citizen,
        return_url=f"/tai-khoan/ho-so-cua-toi/{dossier.code}/",
        client_ip="203.0.113.9",
    )


def _ipn(gateway: Paygate, payment: Payment) -> dict[str, str]:
    """The gateway's signed server-to-server notification, as it arrives at our IPN URL."""
    response = Client().get(f"/thanh-toan/ipn/?{gateway.gateway.ipn_query(payment.txn_ref)}")
    assert response.status_code == 200
    return dict(response.json())


def _officer(dossier: Dossier) -> User:
    return h._staff(dossier.receiving_agency, Role.ONE_STOP_OFFICER)


def _records(dossier: Dossier) -> list[Any]:
    return list(dossier.transitions.filter(action="record_payment").order_by("seq"))


def test_the_request_links_the_page_to_pay_online(waiting: Dossier, settings: Any) -> None:
    """The citizen's own dossier page (signed in) has the "Thanh toán trực tuyến" button; the
    counter stays an option."""
    page = f"{settings.SITE_URL.rstrip('/')}/tai-khoan/ho-so-cua-toi/{waiting.code}/"
    sent = OutboxMessage.objects.filter(template_code="dossier.payment_requested")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    for message in sent:
        assert message.template_version == 2 and page in message.body
        assert "1.500.000 đồng" in message.body and "nộp tại Bộ phận" in message.body


def test_paid_online_without_a_contact_tells_nobody(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    Dossier.objects.filter(pk=waiting.pk).update(applicant_email="", applicant_phone="")
    payment, url = _start(waiting, personas.citizen)
    gateway.pay(url)
    assert _ipn(gateway, payment)["RspCode"] == "00"
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
    assert not OutboxMessage.objects.filter(template_code="dossier.payment_received").exists()


def test_paid_online_resumes_processing_once(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    asked = waiting.transitions.get(action="request_payment")
    payment, url = _start(waiting, personas.citizen)
    assert payment.reference == f"obligation:{waiting.pk}:{asked.seq}"
    assert payment.amount == ASKED and waiting.code in payment.description
    location = gateway.pay(url, bank_code="VCB")
    assert _ipn(gateway, payment) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID

    dossier = Dossier.objects.get(pk=waiting.pk)
    assert (dossier.status, dossier.step) == (Status.PROCESSING, waiting.step)
    assert dossier.paid_amount == ASKED and dossier.paid_online == OnlinePayment.LOCAL_GATEWAY
    assert dossier.step_due_at is not None  # the step's budget runs again
    [row] = _records(dossier)
    assert row.actor is None and row.agency == dossier.receiving_agency
    assert (row.from_status, row.to_status) == (Status.PAYMENT_REQUESTED, Status.PROCESSING)
    assert row.data["receipt"] == payment.txn_ref and row.data["channel"] == "online"
    assert row.data["amount"] == str(ASKED) and row.data["obligation_seq"] == asked.seq
    assert row.data["gateway_transaction_no"] == payment.gateway_transaction_no
    assert payment.txn_ref in row.public_note and "1.500.000 đồng" in row.public_note
    audit = AuditEvent.objects.filter(action="dossiers.record_payment", object_id=str(dossier.pk))
    assert audit.count() == 1 and audit.get().actor is None
    told = OutboxMessage.objects.filter(template_code="dossier.payment_received")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "sms"]
    assert all(payment.txn_ref in m.body and "1.500.000 đồng" in m.body for m in told)
    assert all("nộp trực tuyến" in m.body and "Bộ phận Một cửa" not in m.body for m in told)

    # The browser comes back to the dossier page, which says so; nothing is recorded again.
    citizen = client_for(personas.citizen)
    back = browser_back(citizen, location)
    assert back["Location"] == f"/tai-khoan/ho-so-cua-toi/{dossier.code}/"
    assert shown_messages(back) == ["Thanh toán thành công."]
    assert len(_records(dossier)) == 1


def test_the_ipn_over_http_records_it(
    waiting: Dossier, personas: Personas, paygate_live: Paygate
) -> None:
    """As in production: the gateway calls our IPN URL on the live server."""
    payment, url = _start(waiting, personas.citizen)
    paygate_live.pay(url)
    assert paygate_live.gateway.ipn_answers == [
        (payment.txn_ref, {"RspCode": "00", "Message": "Confirm Success"})
    ]
    assert Dossier.objects.get(pk=waiting.pk).status == Status.PROCESSING
    assert len(_records(waiting)) == 1


def test_the_ipn_twice_is_one_transition(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    payment, url = _start(waiting, personas.citizen)
    gateway.pay(url)
    assert _ipn(gateway, payment)["RspCode"] == "00"
    assert _ipn(gateway, payment) == {"RspCode": "02", "Message": "Order already confirmed"}
    dossier = Dossier.objects.get(pk=waiting.pk)
    assert len(_records(dossier)) == 1 and dossier.paid_amount == ASKED
    assert OutboxMessage.objects.filter(template_code="dossier.payment_received").count() == 2


def test_a_wrong_amount_records_nothing(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    payment, url = _start(waiting, personas.citizen)
    gateway.pay(url, reported_amount=str(ASKED * 100 - 100_000))
    assert _ipn(gateway, payment) == {"RspCode": "04", "Message": "Invalid amount"}
    payment.refresh_from_db()
    dossier = Dossier.objects.get(pk=waiting.pk)
    assert payment.status == Payment.Status.PENDING
    assert (dossier.status, dossier.paid_amount, _records(dossier)) == (
        Status.PAYMENT_REQUESTED, 0, [],
    )  # fmt: skip


def test_paid_after_the_counter_recorded_it_is_to_be_refunded(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    payment, url = _start(waiting, personas.citizen)
    # Meanwhile the applicant paid at the counter and the office recorded it.
    h.back_office_act(waiting, "record_payment", _officer(waiting), money=ASKED, receipt="BL 7")
    location = gateway.pay(url)
    assert _ipn(gateway, payment) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUND_NEEDED and payment.gateway_transaction_no
    dossier = Dossier.objects.get(pk=waiting.pk)
    [row] = _records(dossier)
    assert row.data["receipt"] == "BL 7" and dossier.paid_amount == ASKED
    assert dossier.paid_online is None
    refund = AuditEvent.objects.get(action="payment.refund_needed", object_id=str(payment.pk))
    assert "Đang xử lý" in (refund.after or {})["reason"]  # why: the engine's own refusal
    # Told once, of the counter payment; the money that came too late tells nothing.
    told = OutboxMessage.objects.filter(template_code="dossier.payment_received")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "sms"]
    assert all("tại Bộ phận Một cửa" in m.body and "BL 7" in m.body for m in told)
    back = browser_back(client_for(personas.citizen), location)
    assert shown_messages(back) == [REFUND_TEXT]
    # The officer's page shows the money to give back.
    html = client_for(_officer(dossier)).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert payment.txn_ref in html and "Cần hoàn tiền" in html


def test_money_for_an_earlier_request_never_settles_a_later_one(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    """Recorded at the counter, then asked again: the first payment is not taken for the second
    request (its reference names the first request's row)."""
    payment, url = _start(waiting, personas.citizen)
    h.back_office_act(waiting, "record_payment", _officer(waiting), money=ASKED)
    specialist = h._staff(waiting.handling_agency, Role.SPECIALIST)
    h.back_office_act(waiting, "request_payment", specialist, money=ASKED, content="Phí thẩm định")
    gateway.pay(url)
    assert _ipn(gateway, payment)["RspCode"] == "00"
    payment.refresh_from_db()
    dossier = Dossier.objects.get(pk=waiting.pk)
    assert payment.status == Payment.Status.REFUND_NEEDED
    assert dossier.status == Status.PAYMENT_REQUESTED and len(_records(dossier)) == 1


def test_paid_after_withdrawal_is_to_be_refunded(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    payment, url = _start(waiting, personas.citizen)
    actions.do_withdraw_dossier(waiting, acting_user=personas.citizen, reason="Không cần nữa")
    gateway.pay(url)
    assert _ipn(gateway, payment)["RspCode"] == "00"
    payment.refresh_from_db()
    dossier = Dossier.objects.get(pk=waiting.pk)
    assert payment.status == Payment.Status.REFUND_NEEDED
    assert (dossier.status, dossier.paid_amount, _records(dossier)) == (Status.WITHDRAWN, 0, [])


def test_two_tabs_paid_one_is_refunded(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    first, first_url = _start(waiting, personas.citizen)
    second, second_url = _start(waiting, personas.citizen)
    gateway.pay(first_url)
    gateway.pay(second_url)
    assert _ipn(gateway, first)["RspCode"] == "00"
    assert _ipn(gateway, second)["RspCode"] == "00"
    statuses = {Payment.objects.get(pk=p.pk).status for p in (first, second)}
    assert statuses == {Payment.Status.PAID, Payment.Status.REFUND_NEEDED}
    dossier = Dossier.objects.get(pk=waiting.pk)
    assert len(_records(dossier)) == 1 and dossier.paid_amount == ASKED


def test_the_officer_sees_it_was_paid_online(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    payment, url = _start(waiting, personas.citizen)
    gateway.pay(url)
    _ipn(gateway, payment)
    dossier = Dossier.objects.get(pk=waiting.pk)
    html = client_for(_officer(dossier)).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Thanh toán trực tuyến nghĩa vụ tài chính" in html
    assert f"<code>{payment.txn_ref}</code>" in html and "Đã thanh toán trực tuyến" in html
    assert "1.500.000 đồng" in html and "Hệ thống" in html  # the row taken by the system


def test_only_the_applicant_starts_it_and_only_in_status_6(
    waiting: Dossier, personas: Personas, gateway: Paygate
) -> None:
    from chinhquyen.core.errors import Conflict, DomainError

    with pytest.raises(DomainError, match="Chỉ người nộp"):
        _start(waiting, personas.citizen_b)
    h.back_office_act(waiting, "record_payment", _officer(waiting), money=ASKED)
    with pytest.raises(Conflict, match="không có khoản nghĩa vụ tài chính"):
        _start(Dossier.objects.get(pk=waiting.pk), personas.citizen)
    assert not Payment.objects.exists()
