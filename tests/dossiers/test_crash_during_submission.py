"""Kill the web process in the middle of a submission (issue #3, bad input and security).

A real gunicorn serves the app on the test database. The test holds the audit chain's head row
locked, so the web process blocks inside `do_submit_draft` after it has written the dossier, its
documents and its first transition but before commit; then the whole gunicorn process group is
killed with SIGKILL. After a restart there must be no dossier and an open draft, and submitting
again must give one complete dossier. The same for an upload: the bytes already written have no
row, and the stray-file sweep removes them. PostgreSQL only: a second process cannot share the
SQLite in-memory test database.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from chinhquyen.audit.models import AuditChainHead
from chinhquyen.core.files import sweep_stray_files
from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples
from tests.web_process import Answer, Session, WebProcess, kill_while_blocked, web_process

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def web(tmp_path: Path, settings: Any) -> Iterator[WebProcess]:
    if connection.vendor != "postgresql":
        pytest.skip("a web process cannot share SQLite's in-memory test database")
    with web_process(tmp_path, settings) as server:
        yield server


def _multipart(
    fields: dict[str, str], file_field: str, filename: str, content: bytes
) -> tuple[bytes, str]:
    boundary = "cq" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        head = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{value}\r\n".encode())
    head = f'Content-Disposition: form-data; name="{file_field}"; filename="{filename}"'
    parts.append(f"--{boundary}\r\n{head}\r\nContent-Type: application/pdf\r\n\r\n".encode())
    parts.append(content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _while_audit_is_locked(web: WebProcess, send: Callable[[], Answer]) -> None:
    """Send the request, wait until it blocks on the audit head, kill the server."""
    AuditChainHead.objects.get_or_create(pk=1)
    kill_while_blocked(web.kill, send, _audit_head_locked())


@contextmanager
def _audit_head_locked() -> Iterator[None]:
    AuditChainHead.objects.select_for_update().get(pk=1)
    yield


@pytest.mark.django_db(transaction=True)
def test_killed_during_submit_leaves_nothing_then_submits_whole(
    web: WebProcess, personas: Personas, province: Province
) -> None:
    load_default_templates()
    version = h.publish_procedure(province.agency_a)
    draft = h.filled_draft(personas.citizen, version)
    citizen = Session(personas.citizen)
    submit_url = f"{web.base}/api/v1/drafts/{draft.pk}/submit"
    web.start()

    _while_audit_is_locked(
        web, lambda: citizen.request("POST", submit_url, b'{"declaration": true}')
    )
    assert Dossier.objects.count() == 0
    draft.refresh_from_db()
    assert draft.state == Draft.State.OPEN and draft.dossier_id is None

    web.start()
    status, body = citizen.request("POST", submit_url, b'{"declaration": true}')
    assert status == 201, body
    dossier = Dossier.objects.get()
    assert dossier.code.endswith("-0001"), "the killed transaction's number was given back"
    expected = version.documents.filter(required=True).count()
    assert dossier.documents.count() == expected and dossier.transitions.count() == 1
    for document in dossier.documents.select_related("file"):
        with default_storage.open(document.file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == document.file.sha256


@pytest.mark.django_db(transaction=True)
def test_killed_during_upload_leaves_bytes_the_sweep_removes(
    web: WebProcess, personas: Personas, province: Province
) -> None:
    version = h.publish_procedure(province.agency_a)
    draft = h.filled_draft(personas.citizen, version)
    files_before = StoredFile.objects.count()
    document = version.documents.get(order=1)
    body, content_type = _multipart(
        {"required_document_id": str(document.pk)}, "file", "to-khai.pdf", upload_samples.pdf()
    )
    citizen = Session(personas.citizen)
    url = f"{web.base}/api/v1/drafts/{draft.pk}/attachments"
    web.start()

    _while_audit_is_locked(web, lambda: citizen.request("POST", url, body, content_type))
    assert StoredFile.objects.count() == files_before
    assert draft.attachments.count() == version.documents.filter(required=True).count()
    on_disk = _files_under(Path(settings.MEDIA_ROOT))
    referenced = set(StoredFile.objects.values_list("name", flat=True))
    strays = [name for name in on_disk if name not in referenced]
    assert len(strays) == 1, "the killed upload wrote its bytes"

    assert sweep_stray_files()["files"] == 0, "not before the grace period"
    later = timezone.now() + timedelta(hours=7)
    for name in strays:
        path = Path(settings.MEDIA_ROOT) / name
        old = time.time() - 8 * 3600
        os.utime(path, (old, old))
    assert sweep_stray_files(now=later)["files"] == 1
    assert not (Path(settings.MEDIA_ROOT) / strays[0]).exists()
    for stored in StoredFile.objects.all():
        assert default_storage.exists(stored.name), "referenced files are kept"


def _files_under(root: Path) -> list[str]:
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()]
