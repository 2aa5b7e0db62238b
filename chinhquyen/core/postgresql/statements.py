"""Named prepared statements run straight on libpq, for the public tracking lookup's reads.

A psycopg cursor costs about 40 µs of Python per statement on top of the round trip: a cursor
and its adapters built, the query's placeholders converted, the prepared-statement cache asked,
the generator-driven wait, the result's bookkeeping (docs/benchmarks.md, issue #3: the tracking
lookup must serve at least half the throughput of the bare JSON endpoint). Here a statement is
prepared once per connection under our own name (PostgreSQL protocol: Parse, then Bind/Execute
by name; https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY),
its values are dumped by the connection's own psycopg adapters, and its binary result is
decoded by psycopg's C loaders: the same values a cursor gives, a third of the Python.

Scope: `core.sql.fetch_prepared(..., binary=True)` reads made outside a transaction, as a web
request's reads are (autocommit). Inside a transaction, or before the first statement of an
atomic block (psycopg sends the BEGIN a cursor's statement needs), and with prepared statements
turned off (a transaction pooler, `DATABASE_PREPARED_STATEMENTS=0`), the read goes through a
cursor as before. The connection is the one Django holds; each new connection gets a new
`Statements` (`DatabaseWrapper.get_new_connection`). psycopg's own prepared statements are named
`_pg3_<n>`, ours `chq_<n>`; psycopg deallocates all of them after a ROLLBACK, DROP or ALTER,
and our next read prepares again (outside a transaction a failed attempt costs nothing else).
Errors are psycopg's classes (Django wraps them). The call blocks in libpq (no cancellation on
Ctrl-C while it waits), as a sync web worker does anyway."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import errors, pq
from psycopg.adapt import PyFormat, Transformer

# Beyond this many (statement, parameter types) pairs on one connection the reads go through a
# cursor instead: the statements are a handful of constants, so reaching it means a caller
# builds its SQL per call.
MAX_STATEMENTS = 32

_SUCCESS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)
_NO_SUCH_STATEMENT = b"26000"  # invalid_sql_statement_name
_numbered: dict[str, bytes] = {}
_Key = tuple[str, Sequence[int] | None]  # the statement and its parameters' types


class Statements:
    """The named statements prepared on one psycopg connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.transformer = Transformer(connection)
        self.names: dict[_Key, bytes] = {}
        self.prepared = 0  # names used on this connection (never reused)

    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """All rows of `sql` (`%s` placeholders) with `params`, decoded from binary."""
        connection = self.connection
        pgconn = connection.pgconn
        if not (
            connection.autocommit
            and pgconn.transaction_status == pq.TransactionStatus.IDLE
            and connection.prepare_threshold is not None
        ):
            # In a transaction (or before the first statement of one: psycopg sends the BEGIN
            # Django's atomic needs), or prepared statements turned off for a pooler.
            return self._through_cursor(sql, params)
        tx = self.transformer
        values = tx.dump_sequence(params, [PyFormat.AUTO] * len(params))
        key = (sql, tx.types)
        name = self.names.get(key)
        if name is None:
            if len(self.names) >= MAX_STATEMENTS:
                return self._through_cursor(sql, params)
            name = self._prepare(key)
        result = pgconn.exec_prepared(name, values, tx.formats, pq.Format.BINARY)
        if result.error_field(pq.DiagnosticField.SQLSTATE) == _NO_SUCH_STATEMENT:
            # psycopg sends DEALLOCATE ALL after a ROLLBACK, DROP or ALTER when it holds
            # prepared statements of its own: ours went with them. Outside a transaction the
            # failed attempt left nothing behind; prepare again and run.
            self.names.clear()
            name = self._prepare(key)
            result = pgconn.exec_prepared(name, values, tx.formats, pq.Format.BINARY)
        self._check(result)
        tx.set_pgresult(result)
        return tx.load_rows(0, result.ntuples, tuple)

    def _prepare(self, key: _Key) -> bytes:
        name = f"chq_{self.prepared}".encode()
        self.prepared += 1
        self._check(self.connection.pgconn.prepare(name, numbered(key[0]), key[1]))
        self.names[key] = name
        return name

    def _check(self, result: pq.abc.PGresult) -> None:
        if result.status not in _SUCCESS:
            raise errors.error_from_result(result, encoding=self.connection.info.encoding)

    def _through_cursor(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        # A server-side binding cursor (Django's own cursors bind on the client side).
        with psycopg.Cursor(self.connection) as cursor:
            cursor.execute(sql, params, prepare=True, binary=True)
            return cursor.fetchall()


def numbered(sql: str) -> bytes:
    """`sql` with its `%s` placeholders as PostgreSQL's `$1, $2…` (and `%%` as `%`). Our
    statements are constants; any other `%` is refused rather than guessed at."""
    found = _numbered.get(sql)
    if found is None:
        parts = sql.replace("%%", "\x00").split("%s")
        if any("%" in part for part in parts):
            raise ValueError("only %s and %% placeholders are supported")
        text = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        found = _numbered[sql] = text.replace("\x00", "%").encode()
    return found
