"""Binary reads run straight on libpq (`chinhquyen.core.postgresql.statements`): the same rows a
psycopg cursor gives, prepared once per connection under our own name, errors raised as Django's,
and the transaction Django asked for kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

import psycopg
import pytest
from django.db import DatabaseError, ProgrammingError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from chinhquyen.core.postgresql import statements
from chinhquyen.core.postgresql.base import DatabaseWrapper
from chinhquyen.core.postgresql.statements import numbered
from chinhquyen.core.sql import fetch_prepared

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]

_TYPES_SQL = (
    "SELECT %s::timestamptz, %s::date, %s::int, %s::bigint, %s::numeric, %s::text,"
    " %s::uuid, %s::boolean, NULL::text, 5 %% 3"
)
_VALUES = [
    datetime(2026, 11, 24, 7, 30, 15, 123456, tzinfo=UTC),
    date(2026, 3, 1),
    7,
    2**40,
    Decimal("12.50"),
    "Ủy ban nhân dân xã Đông Hòa",
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    True,
]


@pytest.fixture
def wrapper() -> Iterator[DatabaseWrapper]:
    """A second connection of the default database, in autocommit like a web request's."""
    other = cast(DatabaseWrapper, connections.create_connection("default"))
    other.ensure_connection()
    yield other
    other.close()


def _named(wrapper: BaseDatabaseWrapper) -> list[str]:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'chq%%'")
        return sorted(str(row[0]) for row in cursor.fetchall())


def _through_cursor(wrapper: BaseDatabaseWrapper, sql: str, params: list[object]) -> list[tuple]:
    with psycopg.Cursor(wrapper.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def test_placeholders_are_numbered_and_other_percent_signs_refused() -> None:
    assert numbered("SELECT %s, 5 %% 2 WHERE x = %s AND y LIKE '%%s'") == (
        b"SELECT $1, 5 % 2 WHERE x = $2 AND y LIKE '%s'"
    )
    with pytest.raises(ValueError, match="placeholders"):
        numbered("SELECT %(name)s")


def test_the_rows_are_those_of_a_cursor(wrapper: DatabaseWrapper) -> None:
    got = wrapper.statements.fetch(_TYPES_SQL, _VALUES)
    assert got == _through_cursor(wrapper, _TYPES_SQL, _VALUES)
    assert got[0][0] == _VALUES[0] and got[0][0].tzinfo is not None
    assert got[0][5] == "Ủy ban nhân dân xã Đông Hòa" and got[0][8:] == (None, 2)


def test_prepared_once_per_connection_and_types(wrapper: DatabaseWrapper) -> None:
    sql = "SELECT %s::text || '-' || %s::text"
    assert wrapper.statements.fetch(sql, ["a", "b"]) == [("a-b",)]
    assert wrapper.statements.fetch(sql, ["c", "d"]) == [("c-d",)]
    assert _named(wrapper) == ["chq_0"]
    assert wrapper.statements.fetch(sql, [None, "d"]) == [(None,)]  # text and NULL: unknown
    assert _named(wrapper) == ["chq_0"]
    # psycopg sends a small int as int2 and a large one as int8: prepared apart, as psycopg's
    # own cache does (the parameters' types are part of a prepared statement).
    assert wrapper.statements.fetch("SELECT %s::bigint", [5]) == [(5,)]
    assert wrapper.statements.fetch("SELECT %s::bigint", [2**40]) == [(2**40,)]
    assert _named(wrapper) == ["chq_0", "chq_1", "chq_2"]


def test_a_new_connection_prepares_again(wrapper: DatabaseWrapper) -> None:
    sql = "SELECT %s::int + 1"
    assert wrapper.statements.fetch(sql, [1]) == [(2,)]
    wrapper.close()
    wrapper.ensure_connection()  # a new server session: nothing is prepared on it
    assert _named(wrapper) == []
    assert wrapper.statements.fetch(sql, [2]) == [(3,)]
    assert _named(wrapper) == ["chq_0"]


def test_an_error_is_djangos_and_the_connection_stays_usable(wrapper: DatabaseWrapper) -> None:
    with pytest.raises(ProgrammingError, match="no_such_table"), wrapper.wrap_database_errors:
        wrapper.statements.fetch("SELECT * FROM no_such_table WHERE id = %s", [1])
    with pytest.raises(DatabaseError, match="division by zero"), wrapper.wrap_database_errors:
        wrapper.statements.fetch("SELECT 1 / %s::int", [0])
    assert wrapper.statements.fetch("SELECT %s::int * 2", [21]) == [(42,)]


def test_in_a_transaction_the_read_goes_through_a_cursor_inside_it() -> None:
    """`fetch_prepared` on the request's own connection in `atomic`: the block's first statement
    begins the transaction (psycopg does it for a cursor), and every read runs inside it."""
    connection.ensure_connection()
    with transaction.atomic():
        fetch_prepared("SELECT %s::int", [1], binary=True)
        status = connection.connection.pgconn.transaction_status
        assert status == psycopg.pq.TransactionStatus.INTRANS
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE scratch (n int) ON COMMIT DROP")
            cursor.execute("INSERT INTO scratch VALUES (1)")
            cursor.execute("SELECT txid_current()")
            xid = cursor.fetchone()[0]
        assert fetch_prepared("SELECT count(*) FROM scratch WHERE n = %s", [1], binary=True) == [
            (1,)
        ]
        assert fetch_prepared("SELECT txid_current()", [], binary=True) == [(xid,)]
    assert _named(connection) == []


def test_prepared_again_after_psycopg_deallocates_everything(wrapper: DatabaseWrapper) -> None:
    sql = "SELECT %s::int * 3"
    assert wrapper.statements.fetch(sql, [2]) == [(6,)]
    # A statement psycopg prepares itself, then a rolled-back transaction: psycopg sends
    # DEALLOCATE ALL, and our statement is gone from the server.
    with psycopg.Cursor(wrapper.connection) as cursor:
        cursor.execute("SELECT %s::int", [1], prepare=True)
    wrapper.connection.autocommit = False
    with psycopg.Cursor(wrapper.connection) as cursor:
        cursor.execute("SELECT 1")
    wrapper.connection.rollback()
    wrapper.connection.autocommit = True
    assert _named(wrapper) == []
    assert wrapper.statements.fetch(sql, [3]) == [(9,)]
    assert _named(wrapper) == ["chq_1"]


def test_turned_off_for_a_pooler(wrapper: DatabaseWrapper) -> None:
    wrapper.connection.prepare_threshold = None  # DATABASE_PREPARED_STATEMENTS=0
    assert wrapper.statements.fetch("SELECT %s::int", [5]) == [(5,)]
    assert _named(wrapper) == []


def test_past_the_cap_reads_go_through_a_cursor(
    wrapper: DatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 2)
    for n in range(4):
        assert wrapper.statements.fetch(f"SELECT %s::int + {n}", [1]) == [(1 + n,)]
    assert _named(wrapper) == ["chq_0", "chq_1"]


def test_the_public_lookup_runs_by_name_outside_a_transaction() -> None:
    """A web request's reads are in autocommit: the tracking lookup takes the libpq path."""
    from chinhquyen.dossiers.queries import track_public

    answer = track_public("192.0.2.77", "H99.99-000000-0001", "1234")
    assert answer.found is None and answer.retry_after is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'chq%%'")
        (statement,) = cursor.fetchone()
    assert "dossiers_lookupfailurewindow" in statement and "$3" in statement
