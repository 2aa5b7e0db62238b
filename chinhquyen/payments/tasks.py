"""Celery tasks: thin wrappers over the actions, safe to run twice (each gateway answer goes
through `do_record_gateway_result`, which changes a payment at most once)."""

from __future__ import annotations

from celery import shared_task

from chinhquyen.payments.actions import do_reconcile_pending_payments

RECONCILE_TASK = "chinhquyen.payments.tasks.reconcile_pending_payments"
# Added to the beat schedule in PaymentsConfig.ready(); `make run` starts `worker --beat`.
BEAT_SCHEDULE = {"payments-reconcile-pending": {"task": RECONCILE_TASK, "schedule": 300.0}}


@shared_task(name=RECONCILE_TASK)
def reconcile_pending_payments() -> dict[str, int]:
    report = do_reconcile_pending_payments()
    return {
        "checked": len(report.checked),
        "decided": len(report.decided),
        "expired": len(report.expired),
        "unreachable": len(report.unreachable),
        "refused": len(report.refused),
    }
