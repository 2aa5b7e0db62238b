"""The PostgreSQL backend's health check (`chinhquyen.core.postgresql`): a healthy idle
connection is judged by its socket, without sending anything; a connection the server closed is
found unusable, and the next statement runs on a new connection."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def wrapper() -> Iterator[BaseDatabaseWrapper]:
    """A second connection of the default database, outside the test's transaction."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def _backend_pid(wrapper: BaseDatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _admin_url() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in {"dbname", "host", "port", "user", "password"}}
    )


def _traffic(wrapper: BaseDatabaseWrapper) -> tuple[bool, bytes]:
    """`is_usable()` and what passed between client and server meanwhile (libpq's trace)."""
    pgconn = wrapper.connection.pgconn
    with tempfile.TemporaryFile() as trace:
        pgconn.trace(trace.fileno())
        try:
            usable = wrapper.is_usable()
        finally:
            pgconn.untrace()
        trace.seek(0)
        return usable, trace.read()


def test_a_healthy_connection_is_checked_without_a_message(wrapper: BaseDatabaseWrapper) -> None:
    assert connection.settings_dict["ENGINE"] == "chinhquyen.core.postgresql"
    assert _traffic(wrapper) == (True, b"")  # nothing sent, nothing received


def test_a_connection_the_server_closed_is_replaced(wrapper: BaseDatabaseWrapper) -> None:
    pid = _backend_pid(wrapper)
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while wrapper.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's goodbye is on its way
    assert not wrapper.is_usable()
    # What Django does at the start of a request's first statement with CONN_HEALTH_CHECKS.
    wrapper.health_check_enabled, wrapper.health_check_done = True, False  # type: ignore[attr-defined]
    wrapper.close_if_health_check_failed()
    assert wrapper.connection is None
    assert _backend_pid(wrapper) != pid


def test_a_connection_inside_a_transaction_is_asked(wrapper: BaseDatabaseWrapper) -> None:
    wrapper.set_autocommit(False)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        usable, traffic = _traffic(wrapper)  # not idle: Django's own check, over the wire
        assert usable and b"SELECT 1" in traffic
    finally:
        wrapper.rollback()
        wrapper.set_autocommit(True)


def test_a_prepared_read_after_a_restart_gets_a_new_connection() -> None:
    """`core.sql` statements bypass Django's cursor; they run its health check too, so the first
    request after a database restart is answered instead of failing (one per web process)."""
    from chinhquyen.core.sql import fetch_prepared

    connection.ensure_connection()
    pid = int(fetch_prepared("SELECT pg_backend_pid()", [])[0][0])
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)
    # A new request: Django clears the flag at request start (close_if_unusable_or_obsolete).
    connection.health_check_enabled, connection.health_check_done = True, False  # type: ignore[attr-defined]
    assert int(fetch_prepared("SELECT pg_backend_pid()", [])[0][0]) != pid
