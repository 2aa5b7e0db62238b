"""The task end to end: on PostgreSQL a real worker (file-system broker) shares the test
database and delivers one message to the aiosmtpd server; on SQLite (in-memory test database,
which a second process cannot open) the task runs eagerly in the test process instead."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection, transaction

from chinhquyen.celery import app as project_app
from chinhquyen.notifications import tasks
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.notifications.defaults import load_default_templates
from chinhquyen.notifications.models import OutboxMessage
from tests.notifications.servers import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _probe_app(var_dir: Path) -> Celery:
    folder = var_dir / "broker"
    folder.mkdir(exist_ok=True)
    app = Celery("probe", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    return app


def _enqueue(accepted_context: dict[str, Any]) -> OutboxMessage:
    with transaction.atomic():
        return do_enqueue_notification(
            "dossier.accepted",
            "email",
            "nhung.nguyen@example.vn",
            accepted_context,
            dedupe_key="dossier:1:accepted:email",
        )


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_through_the_broker(
    smtp_server: SmtpServer,
    accepted_context: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")
    load_default_templates()
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", lambda _id: None)
    message = _enqueue(accepted_context)  # committed: the worker sees it
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update(
        DJANGO_SECRET_KEY="x", DJANGO_DEBUG="0", VAR_DIR=str(tmp_path),
        DATABASE_URL=_database_url(), EMAIL_HOST=smtp_server.host,
        EMAIL_PORT=str(smtp_server.port), LOG_LEVEL="WARNING",
    )  # fmt: skip
    queue = f"notifications-{os.getpid()}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "chinhquyen", "worker", "--pool", "solo",
         "-Q", queue, "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle",
         "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _probe_app(tmp_path).send_task(
            "chinhquyen.notifications.tasks.deliver_outbox_message", args=[message.pk], queue=queue
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not smtp_server.inbox.messages:
            time.sleep(0.2)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    [received] = smtp_server.inbox.messages
    assert "Nguyễn Thị Hồng Nhung" in received.get_content()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_task_delivers_eagerly(
    smtp_settings: SmtpServer,
    templates: None,
    accepted_context: dict[str, Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The Celery app read its configuration from settings already; apply the override to it too.
    monkeypatch.setitem(project_app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue(accepted_context)
    [received] = smtp_settings.inbox.messages
    assert received["Subject"].lstrip().startswith("[Sở Tư pháp] Hồ sơ")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert tasks.deliver_outbox_message(message.pk) == "skipped"  # safe to run twice


def test_sweep_is_on_the_beat_schedule() -> None:
    entry = project_app.conf.beat_schedule["notifications-sweep-outbox"]
    assert entry == {"task": tasks.sweep_outbox.name, "schedule": 60.0}
    assert tasks.sweep_outbox.name in project_app.tasks
