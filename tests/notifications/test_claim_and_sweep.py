"""Two workers never send one message twice; the sweep re-dispatches what is due and gives
messages stuck in "sending" (a crashed worker) back to the retry policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chinhquyen.audit.models import AuditEvent
from chinhquyen.notifications import channels, tasks
from chinhquyen.notifications.actions import (
    RetryPolicy,
    _claim,
    do_deliver,
    do_requeue_message,
    do_sweep_outbox,
)
from chinhquyen.notifications.models import OutboxMessage
from tests.notifications.conftest import NOW

Status = OutboxMessage.Status


def test_a_message_is_claimed_once(enqueue: Any) -> None:
    message = enqueue()
    assert _claim(message.pk, NOW) is True
    assert _claim(message.pk, NOW) is False


def test_a_second_worker_during_sending_does_not_send(
    enqueue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = enqueue()
    sent: list[int] = []
    second: list[str] = []

    def send_while_another_worker_runs(outbox: OutboxMessage) -> str:
        second.append(do_deliver(outbox.pk, now=NOW).outcome)  # the duplicate task
        sent.append(outbox.pk)
        return "provider-1"

    monkeypatch.setattr(channels, "send", send_while_another_worker_runs)
    assert do_deliver(message.pk, now=NOW).outcome == "sent"
    assert do_deliver(message.pk, now=NOW + timedelta(hours=1)).outcome == "skipped"
    assert (sent, second) == ([message.pk], ["skipped"])
    assert message.delivery_attempts.count() == 1


def _sending_since(message: OutboxMessage, when: Any) -> None:
    """As a worker that claimed the message at `when` and has not answered since."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=when)
    assert _claim(message.pk, when)


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> Any:
    sent: list[int] = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", sent.append)
    return sent


def test_sweep_dispatches_due_and_recovers_stuck(
    enqueue: Any, dispatched: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    due = enqueue(key="due")
    later = enqueue(key="later")
    stuck = enqueue(key="stuck")
    fresh = enqueue(key="fresh-sending")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=NOW + timedelta(minutes=5))
    _sending_since(stuck, NOW - timedelta(minutes=20))
    _sending_since(fresh, NOW - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        report = do_sweep_outbox(now=NOW, policy=RetryPolicy(stuck_after=timedelta(minutes=15)))
    assert report.recovered == [stuck.pk]
    assert report.dispatched == [due.pk]  # stuck one is due after its backoff, not now
    stuck.refresh_from_db()
    assert stuck.status == Status.PENDING and stuck.next_attempt_at > NOW
    assert "dừng giữa chừng" in stuck.last_error
    assert list(stuck.delivery_attempts.values_list("outcome", flat=True)) == ["abandoned"]
    assert OutboxMessage.objects.get(pk=fresh.pk).status == Status.SENDING
    assert dispatched == [due.pk]
    with django_capture_on_commit_callbacks(execute=True):
        report = do_sweep_outbox(now=NOW + timedelta(hours=1))
    assert sorted(report.dispatched) == sorted([due.pk, later.pk, stuck.pk])


def test_stuck_message_past_its_budget_is_dead(enqueue: Any) -> None:
    message = enqueue()
    assert _claim(message.pk, NOW)
    report = do_sweep_outbox(now=NOW + timedelta(hours=1), policy=RetryPolicy(max_attempts=1))
    assert report.recovered == [message.pk]
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.DEAD
    assert AuditEvent.objects.filter(action="notifications.dead_letter").count() == 1


def test_requeue_of_a_dead_letter(enqueue: Any, personas: Any, dispatched: list[int]) -> None:
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.DEAD, attempts=8)
    with pytest.raises(Exception, match="Chỉ gửi lại"):
        do_requeue_message(enqueue(key="other"), acting_user=personas.sysadmin)
    requeued = do_requeue_message(message, acting_user=personas.sysadmin, now=NOW)
    assert (requeued.status, requeued.attempts) == (Status.PENDING, 0)
    assert AuditEvent.objects.filter(action="notifications.requeued").count() == 1
