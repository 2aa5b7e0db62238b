"""Tasks run on a real worker process through each broker: the embedded file-system broker
always, Redis and RabbitMQ when CI points TEST_REDIS_URL / TEST_AMQP_URL at them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


BROKER_VARIABLES = {"redis": "TEST_REDIS_URL", "rabbitmq": "TEST_AMQP_URL"}


def _brokers() -> list[tuple[str, str | None]]:
    found = [(kind, os.environ.get(variable)) for kind, variable in BROKER_VARIABLES.items()]
    return [("filesystem", "filesystem"), *found]


@pytest.fixture
def worker_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({"DJANGO_SECRET_KEY": "x", "DJANGO_DEBUG": "0", "VAR_DIR": str(tmp_path)})
    yield env


def _client_app(broker: str, backend: str, var_dir: Path) -> Celery:
    app = Celery("probe", broker=broker, backend=backend)
    if broker == "filesystem://":
        folder = str(var_dir / "broker")
        (var_dir / "broker").mkdir(exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": str(var_dir / "broker" / "control"),
            "store_processed": False,
        }
    return app


@pytest.mark.parametrize(("kind", "url"), _brokers(), ids=[b[0] for b in _brokers()])
def test_worker_runs_task_through_broker(
    kind: str, url: str | None, worker_env: dict[str, str], tmp_path: Path
) -> None:
    if url is None:
        pytest.skip(f"set {BROKER_VARIABLES[kind]} to test the {kind} broker")
    backend = f"file://{tmp_path / 'results'}"
    (tmp_path / "results").mkdir()
    broker = "filesystem://" if kind == "filesystem" else url
    if kind != "filesystem":
        worker_env["CELERY_BROKER_URL"] = url
    worker_env["CELERY_RESULT_BACKEND"] = backend
    queue = f"probe-{os.getpid()}-{kind}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "chinhquyen", "worker", "--pool", "solo",
         "-Q", queue, "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle",
         "--without-gossip"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        app = _client_app(broker, backend, tmp_path)
        result = app.send_task("chinhquyen.core.tasks.ping", queue=queue)
        assert result.get(timeout=60) == "pong"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
