"""core.sql.fetch_prepared: the hot public reads are planned once per connection (ADR 0017)."""

from __future__ import annotations

import pytest
from django.db import connection

from chinhquyen.core.sql import fetch_prepared
from chinhquyen.env import database_from_url

pytestmark = pytest.mark.django_db

_SQL = "SELECT %s || '-' || %s"


def test_rows_come_back_on_every_database() -> None:
    assert fetch_prepared(_SQL, ["a", "b"]) == [("a-b",)]
    assert fetch_prepared(_SQL, ["c", "d"]) == [("c-d",)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_the_statement_is_prepared_once_and_reused() -> None:
    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["SELECT $1 || '-' || $2%"],
            )
            return int(cursor.fetchone()[0])

    before = prepared()
    fetch_prepared(_SQL, ["x", "y"])
    fetch_prepared(_SQL, ["z", "w"])
    assert prepared() == before + 1 == 1


def test_prepared_statements_can_be_turned_off_for_a_pooler() -> None:
    url = "postgres://u@db:5432/name"
    assert database_from_url(url)["OPTIONS"] == {"prepare_threshold": 5}
    assert database_from_url(url, prepared_statements=False)["OPTIONS"] == {
        "prepare_threshold": None
    }
