"""The sweep as it really runs: beat's own scheduler finds the entry due every 15 minutes and
publishes it to the embedded file-system broker; the message is then executed by Celery's task
machinery in the test process (both databases) and, on PostgreSQL, by a real worker process
sharing the test database (SQLite's in-memory test database cannot be opened by a second
process) — and the officers' e-mails appear in the outbox. The clock is the real one: the
dossier is made late relative to now."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery import Celery
from celery.beat import Scheduler
from django.conf import settings
from django.db import connection
from django.utils import timezone

from chinhquyen.celery import app as project_app
from chinhquyen.dossiers import tasks
from chinhquyen.dossiers.models import DeadlineAlert
from chinhquyen.notifications.models import OutboxMessage
from tests.dossiers.backoffice.conftest import World, to_processing

ROOT = Path(__file__).resolve().parents[3]
ENTRY = "dossiers-sweep-deadlines"


def test_beat_runs_the_sweep_every_15_minutes() -> None:
    entry = project_app.conf.beat_schedule[ENTRY]
    assert entry == {"task": tasks.SWEEP_DEADLINES_TASK, "schedule": 900.0}
    assert entry["task"] in project_app.tasks


def _probe_app(var_dir: Path) -> Celery:
    """A client of the same file-system broker the worker of `VAR_DIR=var_dir` reads."""
    folder = var_dir / "broker"
    folder.mkdir(exist_ok=True)
    app = Celery("probe", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    app.conf.beat_schedule = {ENTRY: project_app.conf.beat_schedule[ENTRY]}
    return app


def _beat_publishes_the_sweep(probe: Celery) -> None:
    """Beat's scheduler (the code `worker --beat` runs): not due before 15 minutes, due after,
    and then sent through the broker."""
    scheduler = Scheduler(app=probe)
    entry = scheduler.schedule[ENTRY]
    now, every = entry.default_now(), entry.schedule
    assert every is not None
    assert every.is_due(now - timedelta(minutes=14)).is_due is False
    assert every.is_due(now - timedelta(minutes=15, seconds=1)).is_due is True
    entry.last_run_at = now - timedelta(minutes=16)
    assert scheduler.tick() == 0  # ran one due entry
    assert scheduler.schedule[ENTRY].total_run_count == 1


def _late_dossier(world: World) -> None:
    """Processing since ten days ago: its step and its due date are past."""
    to_processing(world, timezone.now() - timedelta(days=10))


def _expected_mail() -> None:
    overdue = OutboxMessage.objects.filter(template_code="staff.deadline_overdue")
    assert {m.recipient.split("@")[0] for m in overdue} == {"chuyenvien_a", "truongphong_a"}
    assert set(DeadlineAlert.objects.values_list("subject", "level")) == {
        ("step", "overdue"),
        ("dossier", "overdue"),
    }


@pytest.mark.django_db
def test_beat_message_executed_by_celery_writes_the_outbox(staff: World, tmp_path: Path) -> None:
    _late_dossier(staff)
    probe = _probe_app(tmp_path)
    _beat_publishes_the_sweep(probe)
    with probe.connection_for_read() as conn:
        message = conn.SimpleQueue("celery").get(timeout=10)
        args, kwargs, _embed = message.decode()
        name = message.headers["task"]
        message.ack()
    assert name == tasks.SWEEP_DEADLINES_TASK
    # What the worker does with the message: the registered task through Celery's tracer.
    result = project_app.tasks[name].apply(args=args, kwargs=kwargs)
    assert result.get() == {"alerts": 2, "messages": 4, "step": 1, "dossier": 1}
    _expected_mail()
    again = project_app.tasks[name].apply(args=args, kwargs=kwargs)
    assert again.get() == {"alerts": 0, "messages": 0}  # safe to run twice


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.3)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_beat_message(staff: World, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")
    _late_dossier(staff)  # committed: the worker sees it
    _beat_publishes_the_sweep(_probe_app(tmp_path))
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update(
        # The same key: fields encrypted with a key derived from it must read back.
        DJANGO_SECRET_KEY=settings.SECRET_KEY, DJANGO_DEBUG="0", VAR_DIR=str(tmp_path),
        DATABASE_URL=_database_url(), LOG_LEVEL="WARNING",
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "chinhquyen", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: OutboxMessage.objects.filter(template_code__startswith="staff.").count()
                  >= 4, 90)  # fmt: skip
    finally:
        worker.terminate()
        try:
            _out, errors = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            errors = ""
    assert OutboxMessage.objects.filter(template_code__startswith="staff.").count() == 4, errors
    _expected_mail()


def _schedule_with(minutes: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from chinhquyen.celery import app;"
        f" print(app.conf.beat_schedule[{ENTRY!r}]['schedule'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="chinhquyen.settings", DJANGO_SECRET_KEY="x",
               DJANGO_DEBUG="0", LOG_LEVEL="WARNING", DEADLINE_SWEEP_MINUTES=minutes)  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_the_interval_comes_from_the_environment_and_bad_values_are_refused() -> None:
    five = _schedule_with("5")
    assert five.returncode == 0, five.stderr
    assert five.stdout.strip().splitlines()[-1] == "300.0"
    zero = _schedule_with("0")
    assert zero.returncode != 0 and "DEADLINE_SWEEP_MINUTES" in zero.stderr
