"""Celery tasks of the dossiers app: thin wrappers, safe to run twice.

The stray-file sweep lives here because the files it keeps are those the dossiers, their
documents and the drafts refer to; the work itself is `chinhquyen.core.files.sweep_stray_files`
(a second run at the same time finds nothing left to delete: deleting missing bytes or an
already deleted row is a no-op).

The deadline sweep (`dossiers.deadlines.do_sweep_deadlines`) records each finding once under a
unique key, so a second run, or two beats by mistake, send nothing new."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from chinhquyen.core import files
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
