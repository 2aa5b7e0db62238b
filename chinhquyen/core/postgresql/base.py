"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS on, Django checks a persistent connection at the start of each request
that uses the database by running `SELECT 1` over it: on the public tracking lookup that was a
third of the statements and about a tenth of the throughput (docs/benchmarks.md, issue #3).

Here an idle connection is healthy when psycopg holds it open, idle, and nothing waits to be read
on its socket. A server that goes away (restart, `pg_terminate_backend`, a failover that closes
the socket) sends its FATAL message and closes: the socket turns readable, and only then is the
`SELECT 1` run, fails, and Django reconnects before the request's first statement. A peer that
vanishes without closing (a cable cut) is not seen by either check until the statement times
out; a connection in any other state gets Django's `SELECT 1` as before."""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base

from chinhquyen.core.postgresql.statements import Statements


class DatabaseWrapper(base.DatabaseWrapper):
    statements: Statements

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        self.statements = Statements(connection)  # names prepared on this connection only
        return connection

    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        from psycopg import pq

        if conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return bool(super().is_usable())
        try:
            readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
        except (OSError, ValueError):  # the descriptor is gone
            return False
        # Something arrived on an idle connection: most likely the server's goodbye (a notice
        # is harmless but rare). Ask the server, as Django does.
        return bool(super().is_usable()) if readable else True
