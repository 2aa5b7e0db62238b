"""E-mail delivery to a real SMTP server (aiosmtpd): Vietnamese subject and body arrive intact;
a server that is down gives retries with backoff, then a dead letter with an audit row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chinhquyen.audit.models import AuditEvent
from chinhquyen.notifications.actions import RetryPolicy, do_deliver
from chinhquyen.notifications.models import DeliveryAttempt, OutboxMessage
from tests.notifications.conftest import NOW
from tests.notifications.servers import SmtpServer, closed_port

Status = OutboxMessage.Status


def test_email_reaches_the_smtp_server_with_vietnamese_intact(
    smtp_settings: SmtpServer, enqueue: Any
) -> None:
    message = enqueue()
    result = do_deliver(message.pk, now=NOW)
    assert result.outcome == DeliveryAttempt.Outcome.SENT
    [received] = smtp_settings.inbox.messages
    [envelope] = smtp_settings.inbox.envelopes
    assert envelope.rcpt_tos == ["nhung.nguyen@example.vn"]
    # Django folds the encoded subject onto a continuation line; the stdlib parser keeps the
    # folding space, mail clients drop it.
    assert (
        received["Subject"].lstrip()
        == "[Sở Tư pháp] Hồ sơ 000.00.01.H99-251103-0001 đã được tiếp nhận"
    )
    assert str(received["From"]) == "Cổng dịch vụ công <no-reply@dichvucong.example.gov.vn>"
    body = received.get_content()
    assert body.startswith("Kính gửi Ông/Bà Nguyễn Thị Hồng Nhung,")
    assert "Ngày hẹn trả kết quả: 07/11/2025." in body
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at == NOW
    assert message.provider_message_id == received["Message-ID"].strip()
    [attempt] = message.delivery_attempts.all()
    assert (attempt.number, attempt.outcome, attempt.error) == (1, "sent", "")


def test_smtp_down_retries_with_backoff_then_dead_letter(
    smtp_settings: SmtpServer, settings: Any, enqueue: Any
) -> None:
    settings.EMAIL_PORT = closed_port()
    policy = RetryPolicy(max_attempts=3)
    message = enqueue()
    now = NOW
    for attempt, backoff in ((1, 1), (2, 2)):
        assert do_deliver(message.pk, now=now, policy=policy).outcome == "retry"
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.PENDING, attempt)
        delay = message.next_attempt_at - now
        assert timedelta(minutes=backoff) <= delay <= timedelta(minutes=backoff * 1.25)
        assert "ConnectionRefusedError" in message.last_error
        # not due yet: a duplicate task does nothing
        assert do_deliver(message.pk, now=now + delay / 2, policy=policy).outcome == "skipped"
        now = message.next_attempt_at
    assert not AuditEvent.objects.filter(action="notifications.dead_letter").exists()
    assert do_deliver(message.pk, now=now, policy=policy).outcome == "dead"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (Status.DEAD, 3, None)
    outcomes = list(message.delivery_attempts.values_list("number", "outcome"))
    assert outcomes == [(1, "retry"), (2, "retry"), (3, "dead")]
    [audit] = AuditEvent.objects.filter(action="notifications.dead_letter")
    assert audit.object_id == str(message.pk)
    assert "nhung.nguyen" not in audit.object_repr  # no personal data in the append-only log
    assert smtp_settings.inbox.messages == []


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(jitter=0.0, cap=timedelta(minutes=30))
    delays = [policy.delay_after(n) for n in range(1, 8)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30, 30)]


def test_a_qr_link_arrives_as_an_attached_png_of_that_link(
    smtp_settings: SmtpServer, templates: None, accepted_context: dict[str, Any]
) -> None:
    from django.db import transaction

    from chinhquyen.core.qr import qr_png
    from chinhquyen.notifications.actions import do_enqueue_notification
    from chinhquyen.notifications.channels import QR_ATTACHMENT_NAME

    link = "https://dichvucong.example.gov.vn/tra-cuu-ho-so/?ma=000.00.01.H99-251103-0001"
    with transaction.atomic():
        email = do_enqueue_notification(
            "dossier.accepted", "email", "nhung.nguyen@example.vn", accepted_context,
            dedupe_key="qr:email", qr_link=link, now=NOW,
        )  # fmt: skip
        sms = do_enqueue_notification(
            "dossier.accepted", "sms", "0912345678", accepted_context,
            dedupe_key="qr:sms", qr_link=link, now=NOW,
        )  # fmt: skip
    assert sms.qr_link == ""  # a text message cannot carry an image
    assert do_deliver(email.pk, now=NOW).outcome == DeliveryAttempt.Outcome.SENT
    [received] = smtp_settings.inbox.messages
    [image] = [part for part in received.iter_attachments()]
    assert image.get_content_type() == "image/png"
    assert image.get_filename() == QR_ATTACHMENT_NAME
    assert image.get_content() == qr_png(link)
    text = received.get_body(("plain",))
    assert text is not None and text.get_content().startswith("Kính gửi Ông/Bà")
