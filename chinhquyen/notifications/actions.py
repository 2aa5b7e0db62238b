"""Notification actions: template versions, the outbox (enqueue in the caller's transaction),
delivery with retries, and the sweep that re-dispatches what was not acknowledged.
Policy and failure modes: docs/adr/0008-notifications-outbox.md."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import DomainError
from chinhquyen.core.sql import insert_returning_pk
from chinhquyen.integrations.sms.client import normalise_phone
from chinhquyen.notifications import channels
from chinhquyen.notifications.models import (
    Channel,
    DeliveryAttempt,
    MessageTemplate,
    OutboxMessage,
)
from chinhquyen.notifications.queries import active_template
from chinhquyen.notifications.rendering import check_placeholders, render_text

Status = OutboxMessage.Status
Outcome = DeliveryAttempt.Outcome


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: base, 2×base, 4×base, … up to `cap`; after
    `max_attempts` tries a message is dead. A message "sending" for longer than `stuck_after`
    belongs to a worker that stopped."""

    max_attempts: int = 8
    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=2)
    jitter: float = 0.25  # up to +25 %, so retries after an outage do not arrive all at once
    stuck_after: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            max_attempts=getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", cls.max_attempts),
            stuck_after=timedelta(
                minutes=getattr(settings, "NOTIFICATIONS_STUCK_MINUTES", 15),
            ),
        )

    def delay_after(self, attempts: int) -> timedelta:
        delay = min(self.base * 2 ** max(attempts - 1, 0), self.cap)
        return delay * (1 + random.uniform(0, self.jitter))  # noqa: S311 - jitter, not secrecy


# --- Templates ----------------------------------------------------------------------------------


def check_template(template: MessageTemplate) -> list[str]:
    """The placeholders the subject and body use; raises when one is not declared."""
    if template.channel == Channel.EMAIL and not template.subject.strip():
        raise DomainError(
            "Mẫu thư điện tử cần có tiêu đề.", code="template_subject", field="subject"
        )
    return check_placeholders([template.subject, template.body], template.placeholders)


def do_create_template_version(
    code: str,
    channel: str,
    *,
    name: str,
    subject: str,
    body: str,
    placeholders: list[str],
    effective_from: date,
    acting_user: Any,
) -> MessageTemplate:
    """A new version of (code, channel); versions already in force are never edited."""
    with transaction.atomic():
        top = (
            MessageTemplate.objects.select_for_update()
            .filter(code=code, channel=channel)
            .order_by("-version")
            .first()
        )
        template = MessageTemplate(
            code=code,
            channel=channel,
            version=top.version + 1 if top else 1,
            effective_from=effective_from,
            name=name,
            subject=subject if channel == Channel.EMAIL else "",
            body=body,
            placeholders=list(placeholders),
        )
        check_template(template)
        if MessageTemplate.objects.filter(
            code=code, channel=channel, effective_from=effective_from
        ).exists():
            raise DomainError(
                "Đã có một phiên bản của mẫu này hiệu lực cùng ngày.",
                code="template_same_date",
                field="effective_from",
            )
        template.save()
        record_audit(
            "notifications.template_version_created",
            actor=acting_user,
            obj=template,
            after={"effective_from": effective_from.isoformat(), "placeholders": placeholders},
        )
        return template


def render_message(template: MessageTemplate, context: dict[str, Any]) -> tuple[str, str]:
    subject = render_text(template.subject, context) if template.subject else ""
    return " ".join(subject.split()), render_text(template.body, context)


# --- Outbox -------------------------------------------------------------------------------------


def check_recipient(channel: str, recipient: str) -> str:
    """The recipient in canonical form (e-mail trimmed, phone as +84…), or a DomainError."""
    if channel == Channel.SMS:
        return normalise_phone(recipient)
    if channel != Channel.EMAIL:
        raise DomainError(f"Kênh thông báo không hợp lệ: “{channel}”.", code="invalid_channel")
    address = (recipient or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(
            f"Địa chỉ thư điện tử không hợp lệ: “{recipient}”.", code="invalid_email"
        ) from None
    return address


def _dispatch_on_commit(message_id: int) -> None:
    from chinhquyen.notifications.tasks import deliver_outbox_message

    # robust: a broker that is down after the commit must not fail the business change; the
    # sweep dispatches the message later.
    transaction.on_commit(lambda: deliver_outbox_message.delay(message_id), robust=True)


def do_enqueue_notification(
    code: str,
    channel: str,
    recipient: str,
    context: dict[str, Any],
    *,
    dedupe_key: str,
    qr_link: str = "",
    now: datetime | None = None,
    template: MessageTemplate | None = None,
) -> OutboxMessage:
    """Render the template in force and write the message to the outbox, inside the caller's
    transaction; delivery is dispatched once that transaction commits. The same `dedupe_key`
    (one business event, e.g. `dossier:H99.1-250101-0001:accepted:email`) returns the message
    already written and dispatches nothing. `qr_link`: an e-mail carries a QR code of it as an
    attached image (ignored for SMS). `template`: the one in force for (code, channel), when the
    caller read it earlier (before taking a lock, say)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "do_enqueue_notification must run inside the business change's transaction."
        )
    now = now or timezone.now()
    address = check_recipient(channel, recipient)
    if template is None:
        template = active_template(code, channel, on=timezone.localdate(now))
    elif (template.code, template.channel) != (code, channel):
        raise ValueError(f"template {template.code}/{template.channel} is not {code}/{channel}")
    subject, body = render_message(template, context)
    message = OutboxMessage(
        channel=channel,
        recipient=address,
        subject=subject[:300],
        body=body,
        template_code=code,
        template_version=template.version,
        dedupe_key=dedupe_key,
        qr_link=qr_link[:500] if channel == Channel.EMAIL else "",
        next_attempt_at=now,
        created_at=now,
    )
    # The unique key answers "already written?" (this transaction, an earlier one, or a concurrent
    # one that committed first): one statement, no read before and no savepoint around it.
    if insert_returning_pk(message, conflict_on="dedupe_key") is None:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    _dispatch_on_commit(message.pk)
    return message


# --- Delivery -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    message_id: int
    outcome: str  # a DeliveryAttempt.Outcome, or "skipped" when someone else holds the message
    error: str = ""


def _claim(message_id: int, now: datetime) -> bool:
    """pending → sending in one conditional UPDATE: of two workers, exactly one gets a row."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def do_deliver(
    message_id: int, *, now: datetime | None = None, policy: RetryPolicy | None = None
) -> DeliveryResult:
    """Claim, send (outside any transaction), then record the attempt and the new state."""
    now = now or timezone.now()
    policy = policy or RetryPolicy.from_settings()
    if not _claim(message_id, now):
        return DeliveryResult(message_id, "skipped")
    message = OutboxMessage.objects.get(pk=message_id)
    started = time.monotonic()
    try:
        provider_id = channels.send(message)
    except channels.DeliveryError as error:
        elapsed = time.monotonic() - started
        return _record_failure(message, error.message, error.permanent, now, elapsed, policy)
    elapsed = time.monotonic() - started
    with transaction.atomic():
        _attempt(message, Outcome.SENT, "", now, elapsed)
        _finish(message, now, status=Status.SENT, sent_at=now, provider_message_id=provider_id,
                last_error="", next_attempt_at=None)  # fmt: skip
    return DeliveryResult(message_id, Outcome.SENT)


def _attempt(
    message: OutboxMessage, outcome: str, error: str, now: datetime, elapsed: float
) -> None:
    DeliveryAttempt.objects.create(
        message=message,
        number=message.delivery_attempts.count() + 1,  # across resends, unlike `attempts`
        at=now,
        outcome=outcome,
        error=error,
        duration_ms=round(elapsed * 1000),
    )


def _finish(message: OutboxMessage, claimed_at: datetime, **changes: Any) -> None:
    """Leave `sending` only if this worker still holds the claim (the sweep may have handed a
    message stuck for too long to another worker)."""
    OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claimed_at=claimed_at
    ).update(claimed_at=None, **changes)


def _record_failure(
    message: OutboxMessage,
    error: str,
    permanent: bool,
    now: datetime,
    elapsed: float,
    policy: RetryPolicy,
    *,
    claimed_at: datetime | None = None,
    outcome: str | None = None,
) -> DeliveryResult:
    exhausted = message.attempts >= policy.max_attempts
    if permanent:
        outcome, status, next_at = outcome or Outcome.FAILED, Status.FAILED, None
    elif exhausted:
        outcome, status, next_at = outcome or Outcome.DEAD, Status.DEAD, None
    else:
        outcome = outcome or Outcome.RETRY
        status, next_at = Status.PENDING, now + policy.delay_after(message.attempts)
    with transaction.atomic():
        _attempt(message, outcome, error, now, elapsed)
        _finish(message, claimed_at or now, status=status, next_attempt_at=next_at,
                last_error=error)  # fmt: skip
        if status == Status.DEAD:
            record_audit(
                "notifications.dead_letter",
                obj=message,
                object_repr=f"{message.template_code} #{message.pk} ({message.channel})",
                after={"attempts": message.attempts, "last_error": error},
            )
    return DeliveryResult(message.pk, outcome, error)


# --- Sweep and manual resend --------------------------------------------------------------------


@dataclass
class SweepReport:
    dispatched: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)  # were stuck in "sending"


STUCK_ERROR = "Tiến trình gửi dừng giữa chừng (không xác nhận sau {minutes} phút)."


def do_sweep_outbox(
    *, now: datetime | None = None, policy: RetryPolicy | None = None, limit: int = 500
) -> SweepReport:
    """Hand messages stuck in `sending` (a crashed worker) back to the retry policy, then
    dispatch every pending message whose `next_attempt_at` has passed."""
    now = now or timezone.now()
    policy = policy or RetryPolicy.from_settings()
    report = SweepReport()
    stuck = OutboxMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - policy.stuck_after
    ).order_by("claimed_at")[:limit]
    error = STUCK_ERROR.format(minutes=int(policy.stuck_after.total_seconds() // 60))
    for message in stuck:
        _record_failure(message, error, False, now, 0.0, policy,
                        claimed_at=message.claimed_at, outcome=Outcome.ABANDONED)  # fmt: skip
        report.recovered.append(message.pk)
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    for message_id in due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            _dispatch_on_commit(message_id)
        report.dispatched.append(message_id)
    return report


def do_requeue_message(
    message: OutboxMessage, *, acting_user: Any, now: datetime | None = None
) -> OutboxMessage:
    """ "Gửi lại": a dead or failed message goes back to pending with a fresh attempt budget."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, status__in=[Status.DEAD, Status.FAILED]
        ).update(status=Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None)
        if not updated:
            raise DomainError(
                "Chỉ gửi lại được thông báo đã hết số lần thử hoặc lỗi vĩnh viễn.",
                code="not_requeueable",
            )
        record_audit(
            "notifications.requeued",
            actor=acting_user,
            obj=message,
            object_repr=f"{message.template_code} #{message.pk} ({message.channel})",
            before={"status": message.status, "attempts": message.attempts},
        )
        _dispatch_on_commit(message.pk)
    message.refresh_from_db()
    return message
