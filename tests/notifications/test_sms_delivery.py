"""SMS through the gateway adapter, against an HTTP test server speaking its protocol: 5xx is
retried, 4xx is a permanent failure, no gateway configured is recorded as a failure."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinhquyen.core.errors import DomainError
from chinhquyen.integrations.sms.client import (
    SmsGatewayClient,
    SmsPermanentError,
    SmsTemporaryError,
    normalise_phone,
)
from chinhquyen.notifications.actions import do_deliver
from chinhquyen.notifications.channels import SMS_NOT_CONFIGURED
from chinhquyen.notifications.models import OutboxMessage
from tests.notifications.conftest import NOW
from tests.notifications.servers import SmsGateway, closed_port

Status = OutboxMessage.Status


def test_gateway_error_is_retried_then_sent(sms_gateway: SmsGateway, enqueue: Any) -> None:
    sms_gateway.script = [500]
    message = enqueue("sms", "0912.345.678")
    assert do_deliver(message.pk, now=NOW).outcome == "retry"
    message.refresh_from_db()
    assert message.status == Status.PENDING and "HTTP 500" in message.last_error
    assert do_deliver(message.pk, now=message.next_attempt_at).outcome == "sent"
    message.refresh_from_db()
    assert (message.status, message.provider_message_id, message.attempts) == (
        Status.SENT, "gw-1", 2
    )  # fmt: skip
    [sms] = sms_gateway.received
    assert sms == {
        "to": "+84912345678",
        "text": "Sở Tư pháp: hồ sơ 000.00.01.H99-251103-0001 đã được tiếp nhận, "
        "hẹn trả kết quả ngày 07/11/2025.",
        "client_ref": f"outbox-{message.pk}",
    }


def test_gateway_refusal_is_permanent(sms_gateway: SmsGateway, enqueue: Any) -> None:
    sms_gateway.script = [400]
    message = enqueue("sms", "+84912345678")
    assert do_deliver(message.pk, now=NOW).outcome == "failed"
    message.refresh_from_db()
    assert (message.status, message.next_attempt_at) == (Status.FAILED, None)
    assert "HTTP 400" in message.last_error


def test_unconfigured_gateway_marks_the_message_failed(settings: Any, enqueue: Any) -> None:
    settings.SMS_GATEWAY_URL = None
    message = enqueue("sms", "0912345678")
    assert do_deliver(message.pk, now=NOW).outcome == "failed"
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error == SMS_NOT_CONFIGURED
    assert SMS_NOT_CONFIGURED.startswith("Chưa cấu hình cổng SMS")


def test_client_errors(sms_gateway: SmsGateway) -> None:
    with pytest.raises(SmsPermanentError, match="401"):
        SmsGatewayClient(sms_gateway.url, "wrong").send(to="0912345678", text="x", client_ref="1")
    down = SmsGatewayClient(f"http://127.0.0.1:{closed_port()}", "t", timeout=2)
    with pytest.raises(SmsTemporaryError, match="Không kết nối"):
        down.send(to="0912345678", text="x", client_ref="1")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0912345678", "+84912345678"), ("84 912 345 678", "+84912345678"),
     ("+84-38-123-4567", "+84381234567"), ("(+84) 0912345678", None), ("02412345678", None),
     ("091234567", None), ("", None), ("0912345678x", None)],
)  # fmt: skip
def test_normalise_phone(raw: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(DomainError):
            normalise_phone(raw)
    else:
        assert normalise_phone(raw) == expected


@given(st.text(max_size=30))
def test_normalise_phone_either_refuses_or_gives_e164(raw: str) -> None:
    try:
        number = normalise_phone(raw)
    except DomainError:
        return
    assert number.startswith("+84") and len(number) == 12 and number[1:].isdigit()
