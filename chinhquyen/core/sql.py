"""Hand-written reads on the hottest public paths, as prepared statements on PostgreSQL.

Django sends every statement as text with its values inlined (client-side binding), so
PostgreSQL parses and plans it again on each call. For the public tracking lookup, planning
took longer than running the statement (0.55 of 0.80 ms on 1,000,000 dossiers; ADR 0017). Here
the statement goes through a psycopg cursor with server-side binding and `prepare=True`:
planned once per database connection (connections live CONN_MAX_AGE), then only executed.
SQLite has nothing to gain and runs it through Django's cursor. Errors are Django's
(`wrap_database_errors`); these reads are not in `connection.queries`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def fetch_prepared(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of one read-only statement written with `%s` placeholders."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


# --- Hand-written inserts on the hottest write paths ---------------------------------------------
#
# A back-office move writes a transition, an audit row and often an outbox message. Through the
# ORM each insert is compiled anew and the outbox's "already written?" check costs a read and a
# savepoint; these helpers build the INSERT from the model's own fields (so column types and JSON
# adaptation stay Django's) and let the database answer the conflict (ADR 0018, performance).


def _insert_parts(instance: Model) -> tuple[str, list[str], list[Any]]:
    """The table, its columns and the prepared values of `instance`, primary key left out."""
    meta = instance._meta
    columns, values = [], []
    for model_field in meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(connection.ops.quote_name(str(model_field.column)))
        values.append(
            model_field.get_db_prep_save(
                model_field.pre_save(instance, add=True), connection=connection
            )
        )
    return connection.ops.quote_name(meta.db_table), columns, values


def insert_returning_pk(
    instance: Model, *, conflict_on: str = "", then: tuple[str, Sequence[Any]] | None = None
) -> int | None:
    """INSERT `instance` and set its primary key. With `conflict_on` (a unique column), a row
    that already exists is left alone and None is returned (ON CONFLICT DO NOTHING). `then`, an
    UPDATE of another table, runs in the same round trip on PostgreSQL (a data-modifying WITH),
    after the insert on SQLite."""
    table, columns, values = _insert_parts(instance)
    pk = connection.ops.quote_name(str(instance._meta.pk.column))
    marks = ", ".join(["%s"] * len(values))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    if conflict_on:
        sql += f" ON CONFLICT ({connection.ops.quote_name(conflict_on)}) DO NOTHING"
    sql += f" RETURNING {pk}"
    params: list[Any] = list(values)
    with connection.cursor() as cursor:
        if then is not None and connection.vendor == "postgresql":
            update, update_params = then
            cursor.execute(
                f"WITH inserted AS ({sql}) {update} RETURNING (SELECT {pk} FROM inserted)",  # noqa: S608
                [*params, *update_params],
            )
        else:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if then is not None:
                cursor.execute(then[0], then[1])
            return _saved(instance, row)
        return _saved(instance, cursor.fetchone())


def _saved(instance: Model, row: tuple[Any, ...] | None) -> int | None:
    if row is None or row[0] is None:
        return None
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return int(row[0])
