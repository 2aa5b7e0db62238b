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
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from chinhquyen.audit.models import AuditChainHead
from chinhquyen.core.files import sweep_stray_files
from chinhquyen.core.models import StoredFile
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.notifications.defaults import load_default_templates
from tests import dossier_helpers as h
from tests.conftest import Personas, Province
from tests.core import upload_samples

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebProcess:
    """gunicorn on the test database, in its own process group so SIGKILL takes it all."""

    def __init__(self, media_root: Path, var_dir: Path) -> None:
        self.port = _free_port()
        self.env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        self.env.update(
            DJANGO_SECRET_KEY=settings.SECRET_KEY, DJANGO_DEBUG="0", SECURE_COOKIES="0",
            DATABASE_URL=_database_url(), MEDIA_ROOT=str(media_root), VAR_DIR=str(var_dir),
            LOG_LEVEL="WARNING", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        )  # fmt: skip
        self.process: subprocess.Popen[str] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "chinhquyen.wsgi:application", "--workers", "1",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5):  # noqa: S310
                    return
            except OSError:  # refused, reset or timed out while gunicorn boots
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def web(tmp_path: Path, settings: Any) -> Iterator[WebProcess]:
    if connection.vendor != "postgresql":
        pytest.skip("a web process cannot share SQLite's in-memory test database")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    server = WebProcess(tmp_path / "media", tmp_path)
    yield server
    if server.process is not None:
        server.kill()


class Session:
    """The citizen's browser: session cookie from `force_login`, a CSRF cookie/header pair."""

    def __init__(self, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf = secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")[:32]

    def request(
        self, method: str, url: str, body: bytes = b"", content_type: str = "application/json"
    ) -> tuple[int, bytes]:
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={self.session}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        )
        headers = {"Cookie": cookie, "X-CSRFToken": self.csrf, "Content-Type": content_type}
        request = urllib.request.Request(url, data=body or None, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except OSError as exc:  # the server was killed under the request: no answer at all
            return 0, str(exc).encode()


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


def _wait_for_lock_waiter(answers: list[Any], timeout: float = 30) -> None:
    """Until a backend of the web process waits on a row lock (it is inside the action)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction PostgreSQL keeps one statistics snapshot: drop it each time.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            if answers:
                raise AssertionError(f"the request ended without waiting: {answers[0]!r}")
            time.sleep(0.05)
    raise AssertionError("the web process never reached the locked step")


def _while_audit_is_locked(web: WebProcess, send: Any) -> None:
    """Send the request in a thread, wait until it blocks on the audit head, kill the server."""
    AuditChainHead.objects.get_or_create(pk=1)
    answers: list[Any] = []
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get(pk=1)
        sender = threading.Thread(target=lambda: answers.append(send()), daemon=True)
        sender.start()
        _wait_for_lock_waiter(answers)
        web.kill()
    sender.join(timeout=30)


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
