"""The database session store, its read sent as a prepared statement (core.sql, ADR 0017).

Every signed-in request reads its session; through the ORM that read cost 0.38 ms CPU (the
statement compiled each time), prepared 0.09 ms — a tenth of an online submission's CPU after
ADR 0018's "Speed of a submission". Writing, creating and deleting sessions stay Django's."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

from chinhquyen.core.sql import first_where


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        """Django's read (`get(session_key=…, expire_date__gt=now)`); a missing or expired
        session forgets its key, as Django's does."""
        found = first_where(
            self.model,
            "t0.session_key = %s AND t0.expire_date > %s",
            [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            order_by="t0.session_key",
        )
        if found is None:
            self._session_key = None
        return found
