"""Storing checked uploads and cleaning up after crashes.

The bytes are written to the default storage first, then the `StoredFile` row is saved in the
caller's transaction. If the process dies between the two, or the transaction rolls back, the
bytes have no row: `sweep_stray_files` deletes such files once they are older than a grace period,
and also deletes rows (and bytes) that nothing refers to any more.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from chinhquyen.core.models import StoredFile
from chinhquyen.core.uploads import CheckedUpload

logger = logging.getLogger(__name__)

UPLOAD_PREFIX = "tep"
STRAY_GRACE = timedelta(hours=6)


def do_store_file(content: bytes, checked: CheckedUpload, *, uploaded_by: Any) -> StoredFile:
    """Write the bytes, then the row. Call inside the transaction that links the file, so the
    row and its link commit together (or not at all)."""
    day = timezone.localdate()
    stored = StoredFile(
        display_name=checked.safe_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        page_count=checked.page_count,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    wanted = f"{UPLOAD_PREFIX}/{day:%Y/%m/%d}/{stored.id.hex}.{checked.kind}"
    stored.name = default_storage.save(wanted, ContentFile(content))
    # If the transaction rolls back or the process dies now, the bytes have no row; the sweep
    # deletes them after the grace period.
    stored.save()
    return stored


def read_file(stored: StoredFile) -> bytes:
    with default_storage.open(stored.name, "rb") as handle:
        return handle.read()


def _referencing_fields() -> list[tuple[type[models.Model], str]]:
    """Every foreign key or one-to-one to `StoredFile` in the project."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is StoredFile
            ):
                found.append((model, field.name))
    return found


def sweep_stray_files(*, now: object = None, grace: timedelta = STRAY_GRACE) -> dict[str, int]:
    """Delete bytes without a row, and rows nothing refers to, once older than `grace`."""
    moment = now or timezone.now()
    cutoff = moment - grace  # type: ignore[operator]
    removed_rows = 0
    orphans = StoredFile.objects.filter(created_at__lt=cutoff)
    for model, field in _referencing_fields():
        orphans = orphans.exclude(pk__in=model._default_manager.values(field))
    for stored in orphans.iterator():
        default_storage.delete(stored.name)
        stored.delete()
        removed_rows += 1
    removed_bytes = _sweep_rowless_bytes(cutoff)
    if removed_rows or removed_bytes:
        logger.info("stray files swept", extra={"rows": removed_rows, "files": removed_bytes})
    return {"rows": removed_rows, "files": removed_bytes}


def _sweep_rowless_bytes(cutoff: object) -> int:
    removed = 0
    for name in _walk(UPLOAD_PREFIX):
        if default_storage.get_modified_time(name) >= cutoff:  # type: ignore[operator]
            continue
        if not StoredFile.objects.filter(name=name).exists():
            default_storage.delete(name)
            removed += 1
    return removed


def _walk(prefix: str) -> list[str]:
    if not default_storage.exists(prefix):
        return []
    directories, files = default_storage.listdir(prefix)
    names = [f"{prefix}/{name}" for name in files]
    for directory in directories:
        names.extend(_walk(f"{prefix}/{directory}"))
    return names
