"""Celery tasks of the dossiers app: thin wrappers, safe to run twice.

The stray-file sweep lives here because the files it keeps are those the dossiers, their
documents and the drafts refer to; the work itself is `chinhquyen.core.files.sweep_stray_files`
(a second run at the same time finds nothing left to delete: deleting missing bytes or an
already deleted row is a no-op).

The deadline sweep (`dossiers.deadlines.do_sweep_deadlines`) records each finding once under a
unique key, so a second run, or two beats by mistake, send nothing new.

A result returned by post is ordered from the postal operator by `book_return_shipment` after the
return commits; a claim lets one run send, and the operator answers the same waybill to the same
reference, so a duplicate run or a retry after a lost answer books one shipment. The shipment
sweep re-dispatches orders whose retry time has passed (ADR 0020)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from chinhquyen.core import files
from chinhquyen.dossiers import postal
from chinhquyen.dossiers.deadlines import do_sweep_deadlines

SWEEP_FILES_TASK = "chinhquyen.dossiers.tasks.sweep_stray_files"
SWEEP_DEADLINES_TASK = "chinhquyen.dossiers.tasks.sweep_deadlines"
# Added to the beat schedule in DossiersConfig.ready(); `make run` starts `worker --beat`. Hourly:
# strays are only removed after their grace period (STRAY_GRACE), so more often buys nothing.
# Deadlines every DEADLINE_SWEEP_MINUTES (15): an overdue step is reported within that time.
BEAT_SCHEDULE = {
    "files-sweep-stray": {"task": SWEEP_FILES_TASK, "schedule": 3600.0},
    "dossiers-sweep-deadlines": {
        "task": SWEEP_DEADLINES_TASK,
        "schedule": settings.DEADLINE_SWEEP_MINUTES * 60.0,
    },
}


@shared_task(name=SWEEP_FILES_TASK)
def sweep_stray_files() -> dict[str, int]:
    return files.sweep_stray_files()


@shared_task(name=SWEEP_DEADLINES_TASK)
def sweep_deadlines() -> dict[str, int]:
    return do_sweep_deadlines().as_dict()


BOOK_SHIPMENT_TASK = "chinhquyen.dossiers.tasks.book_return_shipment"
SWEEP_SHIPMENTS_TASK = "chinhquyen.dossiers.tasks.sweep_shipments"
# Retries of one task run before the sweep takes over (the shipment keeps its next attempt time).
BOOK_RETRIES = 5
BEAT_SCHEDULE["dossiers-sweep-shipments"] = {"task": SWEEP_SHIPMENTS_TASK, "schedule": 300.0}


@shared_task(bind=True, name=BOOK_SHIPMENT_TASK, max_retries=BOOK_RETRIES)
def book_return_shipment(self: Any, shipment_id: int) -> str:
    """Order a result's shipment from the postal operator; an unreachable operator is retried
    with backoff (the same reference each time, so the operator makes one waybill)."""
    result = postal.do_book_shipment(shipment_id)
    if result.retry_in is not None and self.request.retries < BOOK_RETRIES:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(name=SWEEP_SHIPMENTS_TASK)
def sweep_shipments() -> dict[str, int]:
    return {"dispatched": len(postal.do_sweep_shipments())}
