"""The system under test: a throw-away PostgreSQL database, the demo data, and gunicorn.

`running_app` always stops gunicorn and drops the database on the way out, whatever happened."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "chinhquyen_bench"


@dataclass(frozen=True)
class AppConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    workers: int = 4
    debug: bool = True  # False: serve with production settings (DEBUG off) after loading
    database: str = DATABASE

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def app_environment(var_dir: Path, database: str = DATABASE) -> dict[str, str]:
    """DEBUG on only because load_demo refuses otherwise; WARNING keeps request logs out."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "chinhquyen.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DJANGO_DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(var_dir),
    }


def server_environment(env: dict[str, str], config: AppConfig) -> dict[str, str]:
    if config.debug:
        return env
    # Production settings over plain http on loopback: cookies cannot be Secure here.
    return env | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-any-real-deployment",
        "DJANGO_ALLOWED_HOSTS": config.host,
        "SECURE_COOKIES": "0",
    }


def _admin(statement: sql.Composed) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(statement)


def create_database(name: str = DATABASE) -> None:
    drop_database(name)
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str = DATABASE) -> None:
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def start_gunicorn(config: AppConfig, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "chinhquyen.wsgi:application",
        f"--bind={config.host}:{config.port}",
        f"--workers={config.workers}",
        "--log-level=warning",
        "--graceful-timeout=5",
    ]
    with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
        # A session of its own, so Ctrl-C reaches the harness alone and the harness stops it.
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(config: AppConfig, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text(errors='replace')}")
        try:  # loopback http only
            with urllib.request.urlopen(f"{config.base_url}/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # refused while binding, or a timeout while the workers import Django
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


GUNICORN_PID = "BENCH_GUNICORN_PID"  # in the yielded environment: the master's process id


@contextmanager
def running_app(
    config: AppConfig, prepare: Callable[[dict[str, str]], None] | None = None
) -> Iterator[dict[str, str]]:
    """Yield the app's environment while gunicorn serves a freshly loaded demo database.
    `prepare(env)` runs after the demo is loaded and before gunicorn starts (more data)."""
    var_dir = Path(tempfile.mkdtemp(prefix="chinhquyen-bench-"))
    env = app_environment(var_dir, config.database)
    process: subprocess.Popen[bytes] | None = None
    try:
        create_database(config.database)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo")
        if prepare is not None:
            prepare(env)
        log = var_dir / "gunicorn.log"
        process = start_gunicorn(config, server_environment(env, config), log)
        wait_until_up(config, process, log)
        yield env | {GUNICORN_PID: str(process.pid)}
    finally:
        if process is not None:
            stop_gunicorn(process)
        drop_database(config.database)
        shutil.rmtree(var_dir, ignore_errors=True)
