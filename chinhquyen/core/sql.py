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
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, ForeignKey, Model


def fetch_prepared(
    sql: str, params: Sequence[Any], *, binary: bool = False
) -> list[tuple[Any, ...]]:
    """All rows of one read-only statement written with `%s` placeholders.

    `binary`: PostgreSQL sends the results in binary form, which psycopg decodes in C; in text
    form Django's own timestamp loader (Python) parses every time column, a tenth of a tracking
    lookup's CPU. Only for statements whose columns need none of Django's text loaders (json and
    jsonb are decoded by Django's fields from text)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    import psycopg

    _connected()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True, binary=binary)
        return cursor.fetchall()


def _connected() -> None:
    """What Django does before its own cursor: the health check (CONN_HEALTH_CHECKS, once per
    request: a connection the server closed is replaced rather than failing this statement),
    then connect if needed."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()


# --- Hand-written inserts on the hottest write paths ---------------------------------------------
#
# A back-office move writes a transition, an audit row and often an outbox message. Through the
# ORM each insert is compiled anew and the outbox's "already written?" check costs a read and a
# savepoint; these helpers build the INSERT from the model's own fields (so column types and JSON
# adaptation stay Django's) and let the database answer the conflict (ADR 0018, performance).


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: tuple[Any, ...]


_inserts: dict[tuple[Any, ...], _Insert] = {}


def _insert_shape(model: type[Model], conflict_on: str, then: str) -> _Insert:
    """The INSERT of `model` (every concrete field but the primary key), built once."""
    key = (model, conflict_on, then, connection.vendor)
    if key in _inserts:
        return _inserts[key]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    pk = quote(str(meta.pk.column))
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if conflict_on:
        sql += f" ON CONFLICT ({quote(conflict_on)}) DO NOTHING"
    sql += f" RETURNING {pk}"
    if then:  # PostgreSQL only: the UPDATE rides in the same statement
        sql = f"WITH inserted AS ({sql}) {then} RETURNING (SELECT {pk} FROM inserted)"  # noqa: S608
    _inserts[key] = _Insert(sql, fields)
    return _inserts[key]


def execute_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """Run one statement and return its first row; prepared on PostgreSQL."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None
    import psycopg

    _connected()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone() if cursor.description else None


def insert_returning_pk(
    instance: Model, *, conflict_on: str = "", then: tuple[str, Sequence[Any]] | None = None
) -> int | None:
    """INSERT `instance` and set its primary key. With `conflict_on` (a unique column), a row
    that already exists is left alone and None is returned (ON CONFLICT DO NOTHING). `then`, an
    UPDATE of another table, runs in the same round trip on PostgreSQL (a data-modifying WITH),
    after the insert on SQLite."""
    together = then is not None and connection.vendor == "postgresql"
    shape = _insert_shape(type(instance), conflict_on, then[0] if together and then else "")
    db = connections[DEFAULT_DB_ALIAS]  # the real connection: the proxy costs a lookup per use
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection=db) for f in shape.fields]
    if together and then is not None:
        params.extend(then[1])
    row = execute_one(shape.sql, params)
    if then is not None and not together:
        execute_one(then[0], then[1])
    return _saved(instance, row)


def _saved(instance: Model, row: tuple[Any, ...] | None) -> int | None:
    if row is None or row[0] is None:
        return None
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return int(row[0])


# --- Hand-written reads of whole rows ----------------------------------------------------------
#
# The back office locks the dossier with its procedure version and agencies on every move: through
# the ORM, compiling that five-table SELECT cost more than a third of the move (ADR 0018,
# performance). The statement is written once per shape from the models' own fields, prepared on
# PostgreSQL, and the values pass through the same converters the ORM applies.


@dataclass(frozen=True)
class _Shape:
    sql: str
    parts: tuple[tuple[str, type[Model], tuple[tuple[Any, tuple[Any, ...]], ...]], ...]


_shapes: dict[tuple[Any, ...], _Shape] = {}
M = TypeVar("M", bound=Model)


def _converters(model: type[Model], alias: str) -> tuple[tuple[Any, tuple[Any, ...]], ...]:
    fields = []
    for model_field in model._meta.concrete_fields:
        col = model_field.get_col(alias)
        found = connection.ops.get_db_converters(col) + model_field.get_db_converters(connection)
        fields.append((col, tuple(found)))
    return tuple(fields)


def _shape(
    model: type[Model], related: Sequence[str], lock: bool, where: str = "", tail: str = ""
) -> _Shape:
    key = (model, tuple(related), lock, where, tail, connection.vendor)
    if key in _shapes:
        return _shapes[key]
    quote = connection.ops.quote_name
    parts = [("", model, _converters(model, "t0"))]
    joins = []
    for index, name in enumerate(related, start=1):
        link = model._meta.get_field(name)
        assert isinstance(link, ForeignKey)
        target = link.related_model
        assert isinstance(target, type) and issubclass(target, Model)
        alias = f"t{index}"
        parts.append((name, target, _converters(target, alias)))
        joins.append(
            f" LEFT JOIN {quote(target._meta.db_table)} {alias}"
            f" ON {alias}.{quote(str(target._meta.pk.column))} = t0.{quote(str(link.column))}"
        )
    columns = ", ".join(
        f"{col.alias}.{quote(str(col.target.column))}" for _, _, cols in parts for col, _ in cols
    )
    sql = (
        f"SELECT {columns} FROM {quote(model._meta.db_table)} t0{''.join(joins)}"  # noqa: S608
        f" WHERE {where or 't0.' + quote(str(model._meta.pk.column)) + ' = %s'}{tail}"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF t0"
    _shapes[key] = _Shape(sql, tuple(parts))
    return _shapes[key]


def _instance(model: type[Model], cols: Any, values: Sequence[Any]) -> Model | None:
    converted = []
    for (col, converters), value in zip(cols, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    if converted[[c.target.primary_key for c, _ in cols].index(True)] is None:
        return None  # a nullable link that is empty
    names = [col.target.attname for col, _ in cols]
    return model.from_db(connection.alias, names, converted)


def get_with_related(
    model: type[M], pk: Any, *, related: Sequence[str] = (), lock: bool = False
) -> M:
    """`model.objects.select_related(*related).get(pk=pk)` (with `select_for_update(of=self)` if
    `lock`), as one prepared statement. Raises `model.DoesNotExist`."""
    shape = _shape(model, related, lock)
    rows = fetch_prepared(shape.sql, [pk])
    if not rows:
        raise model.DoesNotExist(f"{model.__name__} {pk} không tồn tại.")  # type: ignore[attr-defined]
    row, start = rows[0], 0
    found: M | None = None
    for name, part_model, cols in shape.parts:
        instance = _instance(part_model, cols, row[start : start + len(cols)])
        start += len(cols)
        if found is None:
            found = instance  # type: ignore[assignment]
        else:
            setattr(found, name, instance)
    assert found is not None
    return found


def from_db_value(model: type[Model], name: str, value: Any) -> Any:
    """A value read by hand, converted as the ORM converts `model.name` (dates on SQLite…)."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, Field)
    col = model_field.get_col(model._meta.db_table)
    for converter in connection.ops.get_db_converters(col) + model_field.get_db_converters(
        connection
    ):
        value = converter(value, col, connection)
    return value


def first_where(model: type[M], where: str, params: Sequence[Any], *, order_by: str) -> M | None:
    """The first `model` row (columns as `t0.name`) matching `where`, in `order_by` order, as
    one prepared statement; both strings are the caller's constants, never user input."""
    shape = _shape(model, (), False, where, f" ORDER BY {order_by} LIMIT 1")
    rows = fetch_prepared(shape.sql, params)
    if not rows:
        return None
    _, part_model, cols = shape.parts[0]
    return _instance(part_model, cols, rows[0])  # type: ignore[return-value]


def update_columns(instance: Model, names: Sequence[str]) -> None:
    """`instance.save(update_fields=names)` as one prepared statement, for a model with no
    save() logic or signal concerning these fields."""
    meta = instance._meta
    fields = [meta.get_field(name) for name in dict.fromkeys(names)]  # once each, in order
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    values = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]  # type: ignore[union-attr]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {sets}"  # noqa: S608 (model columns)
        f" WHERE {quote(str(meta.pk.column))} = %s"
    )
    execute_one(sql, [*values, instance.pk])
