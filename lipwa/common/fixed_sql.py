"""Fixed SQL for the few row reads and writes every payment makes, written once per process from the models.

Django compiles each query it runs: the WHERE tree, the joins, the column list, the converters. On the payment
path that compiling, not the database, was most of the CPU (docs/benchmarks.md). The statements here always
have the same shape, so their SQL is built once per model, shape and database from the models' own fields, and
run again with new parameters. Values go in and out exactly as the ORM passes them: `get_db_prep_save` on the
way in, the backend's and the field's converters and `Model.from_db` on the way out. Model `save()` overrides
and pre/post-save signals are not run: `row_update` refuses a model that overrides `save`, and `row_insert` is
for models whose `save()` only refuses updates (lipwa has no save signals).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import DatabaseError, connections, router
from django.db.models import Model
from django.db.transaction import TransactionManagementError


@dataclass(frozen=True)
class _Select:
    sql: str
    # (model, number of columns, (position, ((converter, of the backend), …), column) for the columns that have
    # converters, the field that caches it on the main row)
    parts: tuple[tuple[type[Model], int, tuple[tuple[int, tuple, object], ...], object], ...]


def rows_select(model: type[Model], where: str, params: list | tuple, *, related: tuple[str, ...] = (),
                lock: bool = False) -> list[Model]:
    """`SELECT <every column of model, then of each forward foreign key in related> FROM <table> t … WHERE where`.

    `where` names the main table `t` and the related tables `r0`, `r1`, … (and may end with ORDER BY / LIMIT).
    `lock=True` adds `FOR UPDATE` (of `t` alone, like `select_for_update(of=("self",))`) where the database
    has row locks, and, like the ORM, refuses to run outside a transaction.
    """
    alias = router.db_for_read(model)
    connection = connections[alias]
    if lock and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    shape = _select_shape(model, related, where, lock, alias, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(shape.sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        start, main = 0, None
        for part_model, width, converters, cache_field in shape.parts:
            values = list(row[start:start + width])
            for position, functions, expression in converters:
                value = values[position]
                for function, of_backend in functions:
                    value = (function(connection.ops, value, expression, connection) if of_backend
                             else function(value, expression, connection))
                values[position] = value
            instance = part_model.from_db(alias, None, values)
            if main is None:
                main = instance
            else:
                cache_field.set_cached_value(main, instance)
            start += width
        found.append(main)
    return found


def rows_exist(model: type[Model], where: str, params: list | tuple) -> bool:
    """`SELECT 1 FROM <table> t WHERE where LIMIT 1`, as `filter(...).exists()`."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql = _exists_shape(model, where, alias, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def row_insert(instance: Model) -> None:
    """`save(force_insert=True)` for a new row whose primary key the model itself gives (not the database):
    the INSERT the ORM would run, without compiling it. A model's own `save()` and save signals are not run,
    so this is for models whose `save()` only guards against updates (an INSERT never is one)."""
    model = type(instance)
    if model._meta.parents or instance.pk is None:
        raise TypeError(f"{model.__name__}: row_insert needs a model without parents and a primary key value")
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    sql, fields = _insert_shape(model, alias, connection.vendor)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    instance._state.adding = False
    instance._state.db = alias


def row_update(instance: Model, fields: tuple[str, ...] | list[str], *, missing_ok: bool = False) -> None:
    """`save(update_fields=fields)` for a model without a `save()` of its own or save signals. Like it, refuses
    to pass silently when the row is gone, unless `missing_ok` (then it is `filter(pk=…).update(…)`)."""
    model = type(instance)
    if model.save is not Model.save:
        raise TypeError(f"{model.__name__} overrides save(); use it")
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    sql, targets = _update_shape(model, tuple(fields), alias, connection.vendor)
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in targets]
    params.append(model._meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1 and not (missing_ok and cursor.rowcount == 0):
            raise DatabaseError(f"{model.__name__} {instance.pk}: the update affected {cursor.rowcount} rows")


@cache
def _select_shape(model, related, where, lock, alias, vendor) -> _Select:
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables = [(model, "t", None)]
    joins = []
    for number, name in enumerate(related):
        field = model._meta.get_field(name)
        other = field.related_model
        table_alias = f"r{number}"
        tables.append((other, table_alias, field))
        joins.append(f" INNER JOIN {quote(other._meta.db_table)} {table_alias} ON {table_alias}."
                     f"{quote(field.target_field.column)} = t.{quote(field.column)}")
    columns, parts = [], []
    for part_model, table_alias, cache_field in tables:
        fields = part_model._meta.concrete_fields
        columns += [f"{table_alias}.{quote(field.column)}" for field in fields]
        converters = []
        for position, field in enumerate(fields):
            expression = field.get_col(table_alias)
            # The backend's converters are methods of this thread's connection: kept unbound, and bound to the
            # calling thread's connection when a row is read (the fields' own converters belong to no thread).
            functions = tuple((function.__func__, True) if getattr(function, "__self__", None) is connection.ops
                              else (function, False) for function in connection.ops.get_db_converters(expression)
                              + expression.get_db_converters(connection))
            if functions:
                converters.append((position, functions, expression))
        parts.append((part_model, len(fields), tuple(converters), cache_field))
    sql = (f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t{''.join(joins)} WHERE {where}")
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF t" if joins and connection.features.has_select_for_update_of else " FOR UPDATE"
    return _Select(sql=sql, parts=tuple(parts))


@cache
def _update_shape(model, fields, alias, vendor):
    quote = connections[alias].ops.quote_name
    targets = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in targets)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    return sql, targets


@cache
def _exists_shape(model, where, alias, vendor) -> str:
    return f"SELECT 1 FROM {connections[alias].ops.quote_name(model._meta.db_table)} t WHERE {where} LIMIT 1"


@cache
def _insert_shape(model, alias, vendor):
    quote = connections[alias].ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})", fields
