"""Celery tasks of the org app: thin wrappers, safe to run twice.

The spent-code sweep (`citizens.do_sweep_spent_codes`) blanks the codes of delivered messages
whose code is used or expired and deletes verification rows a day after; a second run at the
same time finds the codes already blanked and the rows already gone."""

from __future__ import annotations

from celery import shared_task

from chinhquyen.org.citizens import do_sweep_spent_codes

SWEEP_CODES_TASK = "chinhquyen.org.tasks.sweep_spent_codes"
# Added to the beat schedule in OrgConfig.ready(); `make run` starts `worker --beat`. Hourly: a
# code is valid 15 minutes, so its text stays in the outbox at most about an hour after that.
BEAT_SCHEDULE = {"citizens-sweep-spent-codes": {"task": SWEEP_CODES_TASK, "schedule": 3600.0}}


@shared_task(name=SWEEP_CODES_TASK)
def sweep_spent_codes() -> dict[str, int]:
    report = do_sweep_spent_codes()
    return {"blanked": report.blanked, "deleted": report.deleted}
