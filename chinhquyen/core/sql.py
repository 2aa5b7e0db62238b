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
    """All rows of one statement written with `%s` placeholders (a read, or a write with
    RETURNING).

    `binary`: PostgreSQL sends the results in binary form, which psycopg decodes in C; in text
    form Django's own timestamp loader (Python) parses every time column, a tenth of a tracking
    lookup's CPU. Only for statements whose columns need none of Django's text loaders (json and
    jsonb are decoded by Django's fields from text). Binary reads run straight on libpq
    (`chinhquyen.core.postgresql.statements`)."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per use
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    import psycopg

    _connected(db)
    with db.wrap_database_errors:
        if binary and hasattr(db, "statements"):
            return db.statements.fetch(sql, params)
        with psycopg.Cursor(db.connection) as cursor:
            cursor.execute(sql, params, prepare=True, binary=binary)
            return cursor.fetchall()


def _connected(db: Any) -> None:
    """What Django does before its own cursor: the health check (CONN_HEALTH_CHECKS, once per
    request: a connection the server closed is replaced rather than failing this statement),
    then connect if needed."""
    db.close_if_health_check_failed()
    db.ensure_connection()


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


def _insert_shape(model: type[Model], conflict_on: str, then: str, rows: int = 1) -> _Insert:
    """The INSERT of `rows` rows of `model` (every concrete field but the primary key), built
    once."""
    key = (model, conflict_on, then, rows, connection.vendor)
    if key in _inserts:
        return _inserts[key]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    pk = quote(str(meta.pk.column))
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * rows)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {marks}"  # noqa: S608
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

    db = connections[DEFAULT_DB_ALIAS]
    _connected(db)
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
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


def insert_many(instances: Sequence[Model]) -> None:
    """`bulk_create(instances)` of one model as one prepared statement per number of rows,
    setting their primary keys (RETURNING gives them in the order of the rows, as Django's own
    bulk_create assumes)."""
    if not instances:
        return
    shape = _insert_shape(type(instances[0]), "", "", rows=len(instances))
    db = connections[DEFAULT_DB_ALIAS]
    params = [
        f.get_db_prep_save(f.pre_save(instance, True), connection=db)
        for instance in instances
        for f in shape.fields
    ]
    for instance, row in zip(instances, fetch_prepared(shape.sql, params), strict=True):
        _saved(instance, row)


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
    joined: dict[str, tuple[type[Model], str]] = {"": (model, "t0")}
    for index, name in enumerate(related, start=1):
        # "a__b": the link b of the row joined for a, which must be listed before it.
        parent_path, _, link_name = name.rpartition("__")
        parent, parent_alias = joined[parent_path]
        link = parent._meta.get_field(link_name)
        assert isinstance(link, ForeignKey)
        target = link.related_model
        assert isinstance(target, type) and issubclass(target, Model)
        alias = f"t{index}"
        joined[name] = (target, alias)
        parts.append((name, target, _converters(target, alias)))
        joins.append(
            f" LEFT JOIN {quote(target._meta.db_table)} {alias} ON"
            f" {alias}.{quote(str(target._meta.pk.column))}"
            f" = {parent_alias}.{quote(str(link.column))}"
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


def _assembled(shape: _Shape, row: Sequence[Any]) -> Any:
    """The main instance of `row` with each joined row set on the instance it hangs from."""
    found: dict[str, Model | None] = {}
    start = 0
    for name, part_model, cols in shape.parts:
        instance = _instance(part_model, cols, row[start : start + len(cols)])
        start += len(cols)
        found[name] = instance
        parent_path, _, link_name = name.rpartition("__")
        if name and found[parent_path] is not None:
            setattr(found[parent_path], link_name, instance)
    return found[""]


def get_with_related(
    model: type[M], pk: Any, *, related: Sequence[str] = (), lock: bool = False
) -> M:
    """`model.objects.select_related(*related).get(pk=pk)` (with `select_for_update(of=self)` if
    `lock`), as one prepared statement; `related` may follow links (`"a", "a__b"`, the parent
    first). Raises `model.DoesNotExist`."""
    shape = _shape(model, related, lock)
    rows = fetch_prepared(shape.sql, [model._meta.pk.get_db_prep_value(pk, connection)])
    if not rows:
        raise model.DoesNotExist(f"{model.__name__} {pk} không tồn tại.")  # type: ignore[attr-defined]
    return _assembled(shape, rows[0])


def all_where(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    related: Sequence[str] = (),
    order_by: str = "",
    limit: int | None = None,
) -> list[M]:
    """`model.objects.select_related(*related).filter(…).order_by(…)[:limit]` as one prepared
    statement: `where` and `order_by` name columns as `t0.name` (the joined rows `t1`, `t2`…
    in the order of `related`); both are the caller's constants, never user input, and `params`
    are already database values (`get_db_prep_value`)."""
    tail = (f" ORDER BY {order_by}" if order_by else "") + (
        f" LIMIT {int(limit)}" if limit is not None else ""
    )
    shape = _shape(model, related, False, where, tail)
    return [_assembled(shape, row) for row in fetch_prepared(shape.sql, params)]


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
    rows = all_where(model, where, params, order_by=order_by, limit=1)
    return rows[0] if rows else None


def update_statement(instance: Model, names: Sequence[str]) -> tuple[str, list[Any]]:
    """The UPDATE that `instance.save(update_fields=names)` sends, with its values: each field's
    `pre_save` runs as in `save()` (an `auto_now` field takes the current time)."""
    meta = instance._meta
    fields = [meta.get_field(name) for name in dict.fromkeys(names)]  # once each, in order
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    values = [
        f.get_db_prep_save(f.pre_save(instance, False), connection)  # type: ignore[union-attr]
        for f in fields
    ]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {sets}"  # noqa: S608 (model columns)
        f" WHERE {quote(str(meta.pk.column))} = %s"
    )
    return sql, [*values, meta.pk.get_db_prep_value(instance.pk, connection)]


def update_columns(instance: Model, names: Sequence[str]) -> None:
    """`instance.save(update_fields=names)` as one prepared statement, for a model with no
    save() logic or signal concerning these fields."""
    execute_one(*update_statement(instance, names))
