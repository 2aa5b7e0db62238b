"""Celery tasks: thin wrappers over the actions, safe to run twice (the claim in `do_deliver`
lets one run send; the other finds the message no longer pending)."""

from __future__ import annotations

from celery import shared_task

from chinhquyen.notifications.actions import do_deliver, do_sweep_outbox

SWEEP_TASK = "chinhquyen.notifications.tasks.sweep_outbox"
# Added to the beat schedule in NotificationsConfig.ready(); `make run` starts `worker --beat`.
BEAT_SCHEDULE = {"notifications-sweep-outbox": {"task": SWEEP_TASK, "schedule": 60.0}}


@shared_task(name="chinhquyen.notifications.tasks.deliver_outbox_message")
def deliver_outbox_message(message_id: int) -> str:
    return str(do_deliver(message_id).outcome)


@shared_task(name=SWEEP_TASK)
def sweep_outbox() -> dict[str, int]:
    report = do_sweep_outbox()
    return {"dispatched": len(report.dispatched), "recovered": len(report.recovered)}
