"""Channel adapters: hand one outbox message to the SMTP server or the SMS gateway.

Each returns the provider's message id, or raises `DeliveryError` saying whether trying again
can help (`permanent=False`: server down, timeout, 4xx SMTP reply, 5xx gateway answer)."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from chinhquyen.core.qr import qr_png
from chinhquyen.integrations.sms.client import (
    SmsError,
    SmsGatewayClient,
    SmsPermanentError,
)
from chinhquyen.notifications.models import Channel, OutboxMessage

QR_ATTACHMENT_NAME = "ma-qr-tra-cuu.png"
SMS_NOT_CONFIGURED = "Chưa cấu hình cổng SMS (SMS_GATEWAY_URL): tin nhắn không được gửi."


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def send(message: OutboxMessage) -> str:
    if message.channel == Channel.EMAIL:
        return send_email(message)
    return send_sms(message)


def _message_id(message: OutboxMessage) -> str:
    # Set here so Django does not look up the host's FQDN (slow without DNS), and so the id
    # is known before sending and recorded as the provider's message id.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(idstring=f"outbox{message.pk}", domain=domain)


def _is_permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx reply about this message or its recipient will be the same next time; a refused
    sender, a failed sign-in or a dropped connection is the platform's problem and may pass."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def send_email(message: OutboxMessage) -> str:
    message_id = _message_id(message)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": message_id},
    )
    if message.qr_link:
        email.attach(QR_ATTACHMENT_NAME, qr_png(message.qr_link), "image/png")
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPException as error:
        raise DeliveryError(
            f"Máy chủ thư từ chối ({type(error).__name__}): {error}",
            permanent=_is_permanent(error),
        ) from None
    except OSError as error:  # refused connection, timeout, DNS
        raise DeliveryError(
            f"Không kết nối được máy chủ thư ({type(error).__name__}: {error}).",
            permanent=False,
        ) from None
    return message_id


def send_sms(message: OutboxMessage) -> str:
    if not settings.SMS_GATEWAY_URL:
        raise DeliveryError(SMS_NOT_CONFIGURED, permanent=True)
    client = SmsGatewayClient(settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN)
    try:
        receipt = client.send(
            to=message.recipient, text=message.body, client_ref=f"outbox-{message.pk}"
        )
    except SmsError as error:
        raise DeliveryError(str(error), permanent=isinstance(error, SmsPermanentError)) from None
    return receipt.id
