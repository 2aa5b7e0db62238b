"""Celery tasks of the dossiers app: thin wrappers, safe to run twice.

The stray-file sweep lives here because the files it keeps are those the dossiers, their
documents and the drafts refer to; the work itself is `chinhquyen.core.files.sweep_stray_files`
(a second run at the same time finds nothing left to delete: deleting missing bytes or an
already deleted row is a no-op)."""

from __future__ import annotations

from celery import shared_task

from chinhquyen.core import files

SWEEP_FILES_TASK = "chinhquyen.dossiers.tasks.sweep_stray_files"
# Added to the beat schedule in DossiersConfig.ready(); `make run` starts `worker --beat`. Hourly:
# strays are only removed after their grace period (STRAY_GRACE), so more often buys nothing.
BEAT_SCHEDULE = {"files-sweep-stray": {"task": SWEEP_FILES_TASK, "schedule": 3600.0}}


@shared_task(name=SWEEP_FILES_TASK)
def sweep_stray_files() -> dict[str, int]:
    return files.sweep_stray_files()
