"""A real web process on the test database, to kill with SIGKILL in the middle of an action.

Shared by the kill-the-process tests (a citizen's submission, an officer's back-office action).
The test holds a lock the action needs (a row in its own transaction, or the broker's file), sends
the request from a thread, waits until the web process is blocked on it, and kills the process:
what the database holds afterwards is what a crash at that point leaves. PostgreSQL only: a
second process cannot share SQLite's in-memory test database.
"""

from __future__ import annotations

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
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
Answer = tuple[int, bytes]


def database_url() -> str:
    """The test database, as DATABASE_URL for the web process."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebProcess:
    """gunicorn on the test database, in its own process group so SIGKILL takes it all.

    `kill()` takes the whole group down (then `start()` again). `kill_worker()` kills only the
    worker that serves the requests, as the kernel's OOM killer would; the app is preloaded in
    the master, which forks a fresh worker in a fraction of the time of a cold start."""

    def __init__(self, media_root: Path, var_dir: Path) -> None:
        self.port = free_port()
        self.var_dir = var_dir
        self.env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        self.env.update(
            DJANGO_SECRET_KEY=settings.SECRET_KEY, DJANGO_DEBUG="0", SECURE_COOKIES="0",
            DATABASE_URL=database_url(), MEDIA_ROOT=str(media_root), VAR_DIR=str(var_dir),
            LOG_LEVEL="WARNING", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        )  # fmt: skip
        self.process: subprocess.Popen[str] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def broker_dir(self) -> Path:
        """The file-system broker the web process publishes to (settings: VAR_DIR/broker)."""
        return self.var_dir / "broker"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "chinhquyen.wsgi:application", "--workers", "1",
             "--preload", "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, text=True,
        )  # fmt: skip
        self._wait_until_serving()

    def _wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5):  # noqa: S310
                    return
            except OSError:  # refused, reset or timed out while gunicorn boots
                time.sleep(0.05)
        raise AssertionError("gunicorn did not start")

    def worker_pid(self) -> int:
        """The one worker (gunicorn's master forks it from its main thread)."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert len(children) == 1, f"expected one gunicorn worker, found {children}"
        return int(children[0])

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        self.process = None

    def kill_worker(self) -> None:
        """SIGKILL the worker, then wait until the master's new worker serves."""
        worker = self.worker_pid()
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)  # the master reaps it at once (SIGCHLD)
        self._wait_until_serving()


@contextmanager
def web_process(tmp_path: Path, settings: Any) -> Iterator[WebProcess]:
    """A WebProcess whose media and var directories live under `tmp_path`; killed at the end."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    server = WebProcess(tmp_path / "media", tmp_path)
    try:
        yield server
    finally:
        if server.process is not None:
            server.kill()


class Session:
    """A signed-in browser: session cookie from `force_login`, a CSRF cookie/header pair."""

    def __init__(self, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf = secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")[:32]

    def request(
        self, method: str, url: str, body: bytes = b"", content_type: str = "application/json"
    ) -> Answer:
        """(status, body); (0, error) when the server was killed under the request."""
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


def wait_for_lock_waiter(answers: list[Answer], timeout: float = 30) -> str:
    """Until a backend of the web process waits on a lock (it is inside the action); returns
    the statement that waits, so a test can check where the action stopped."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction PostgreSQL keeps one statistics snapshot: drop it each time.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
            if row:
                return str(row[0])
            if answers:
                raise AssertionError(f"the request ended without waiting: {answers[0]!r}")
            time.sleep(0.02)
    raise AssertionError("the web process never reached the locked step")


def flock_waiters() -> set[int]:
    """The processes waiting for a flock (the `->` lines of /proc/locks)."""
    waiters = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "->" and fields[2] == "FLOCK":
            waiters.add(int(fields[5]))
    return waiters


def kill_while_blocked(
    kill: Callable[[], None],
    send: Callable[[], Answer],
    holding: AbstractContextManager[Any],
    reached: Callable[[list[Answer]], str] = wait_for_lock_waiter,
) -> tuple[list[Answer], str]:
    """Inside the test's own transaction, enter `holding` (it takes the lock the action will
    wait for), send the request from a thread, wait until `reached` says the web process is
    blocked there, and `kill` it. The test's transaction is rolled back: it only held locks.
    Returns what the client got (`[(0, …)]`: no answer) and where `reached` saw it wait."""
    answers: list[Answer] = []
    with transaction.atomic(), holding:
        sender = threading.Thread(target=lambda: answers.append(send()), daemon=True)
        sender.start()
        where = reached(answers)
        kill()
        transaction.set_rollback(True)
    sender.join(timeout=30)
    return answers, where
