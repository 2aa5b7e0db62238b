"""The stray-file sweep: bytes left without a row by a crash, and rows nothing refers to, are
deleted once older than the grace period; files a draft or a dossier refers to are kept. Run as
the Celery task (in process, no worker), from beat's schedule, and from `manage.py files sweep`."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from chinhquyen.celery import app
from chinhquyen.core.files import STRAY_GRACE, UPLOAD_PREFIX, do_store_file, sweep_stray_files
from chinhquyen.core.models import StoredFile
from chinhquyen.core.uploads import check_upload
from chinhquyen.dossiers import tasks
from chinhquyen.dossiers.models import DossierDocument, DraftAttachment
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples

pytestmark = pytest.mark.django_db
HOUR = 3600


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def crashed_write(name: str, *, hours_ago: float) -> str:
    """Bytes written as `do_store_file` writes them, whose row never committed."""
    saved = default_storage.save(f"{UPLOAD_PREFIX}/2026/02/17/{name}", ContentFile(b"%PDF-1.7"))
    moment = time.time() - hours_ago * HOUR
    os.utime(default_storage.path(saved), (moment, moment))
    return saved


def stored_unlinked(*, hours_ago: float) -> StoredFile:
    content = upload_samples.pdf()
    stored = do_store_file(
        content, check_upload(content, filename="a.pdf", max_bytes=10**7), uploaded_by=None
    )
    StoredFile.objects.filter(pk=stored.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return stored


def test_rowless_bytes_go_after_the_grace_period_and_not_before() -> None:
    grace_hours = STRAY_GRACE.total_seconds() / HOUR
    young = crashed_write("young.pdf", hours_ago=grace_hours - 1)
    old = crashed_write("old.pdf", hours_ago=grace_hours + 1)
    assert sweep_stray_files() == {"rows": 0, "files": 1}
    assert default_storage.exists(young) and not default_storage.exists(old)
    later = timezone.now() + timedelta(hours=2)
    assert sweep_stray_files(now=later) == {"rows": 0, "files": 1}
    assert not default_storage.exists(young)


def test_unreferenced_old_row_goes_with_its_bytes() -> None:
    old = stored_unlinked(hours_ago=STRAY_GRACE.total_seconds() / HOUR + 1)
    young = stored_unlinked(hours_ago=1)
    assert sweep_stray_files() == {"rows": 1, "files": 0}
    assert not StoredFile.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.name)
    assert StoredFile.objects.filter(pk=young.pk).exists() and default_storage.exists(young.name)


def test_files_of_drafts_and_dossiers_are_kept(province: Province, personas: Personas) -> None:
    load_default_templates()
    version = h.publish_procedure(province.agency_a)
    dossier = h.submitted_dossier(personas.citizen, version)
    open_draft = h.filled_draft(personas.citizen, version)
    StoredFile.objects.update(created_at=timezone.now() - timedelta(days=30))
    for name in (f.name for f in StoredFile.objects.all()):
        moment = time.time() - 30 * 24 * HOUR
        os.utime(default_storage.path(name), (moment, moment))
    referenced = set(DossierDocument.objects.filter(dossier=dossier).values_list("file", flat=True))
    referenced |= set(
        DraftAttachment.objects.filter(draft=open_draft).values_list("file", flat=True)
    )
    assert referenced and len(referenced) == StoredFile.objects.count()

    assert sweep_stray_files() == {"rows": 0, "files": 0}
    for stored in StoredFile.objects.all():
        assert default_storage.exists(stored.name)


def test_the_task_runs_without_a_worker_and_twice_is_harmless() -> None:
    old = stored_unlinked(hours_ago=STRAY_GRACE.total_seconds() / HOUR + 1)
    crashed_write("crash.pdf", hours_ago=STRAY_GRACE.total_seconds() / HOUR + 1)
    assert tasks.sweep_stray_files.apply().get() == {"rows": 1, "files": 1}
    assert tasks.sweep_stray_files.apply().get() == {"rows": 0, "files": 0}
    assert not StoredFile.objects.filter(pk=old.pk).exists()


def test_beat_runs_the_sweep_hourly() -> None:
    entry = app.conf.beat_schedule["files-sweep-stray"]
    assert entry == {"task": "chinhquyen.dossiers.tasks.sweep_stray_files", "schedule": 3600.0}
    assert entry["task"] in app.tasks


def test_management_command() -> None:
    crashed_write("crash.pdf", hours_ago=STRAY_GRACE.total_seconds() / HOUR + 1)
    out = StringIO()
    call_command("files", "sweep", stdout=out)
    assert "1 tệp không có bản ghi" in out.getvalue()
