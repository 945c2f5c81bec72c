"""The engine's prebuilt statements, run on SQLite's driver without SQLAlchemy's per-call work.

Profiling the running server showed SQLAlchemy spending about five times longer around each
statement (cache lookup, execution context, result metadata, events) than SQLite spent running
it; with 9 statements per issued ticket and about 17 per counter action, that was the largest
share of a request. So on SQLite a statement is compiled once, by SQLAlchemy's own compiler
(per set of columns, for inserts and updates), and each run converts its parameters and results
with the column types' own processors: the SQL and the stored values are exactly what
`Connection.execute` would produce, only without the bookkeeping around it.

PostgreSQL runs the same statements through `Connection.execute`: its row locks and several
server processes are what scale it, not this.

Results are plain tuples in the order of the statement's columns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

CONNECTION = "luot.connection"
_MISSING = object()

Processor = Callable[[Any], Any] | None


def _kept(session: Session) -> tuple[Connection, Any]:
    """The session's connection and, on SQLite, its driver connection.

    Kept per transaction in `session.info` (asking the session each time cost ~20 µs, a tenth
    of a counter action); the session's transaction object tells a stale entry."""
    transaction = session.get_transaction()
    kept: tuple[object, Connection, Any] | None = session.info.get(CONNECTION)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1], kept[2]
    found = session.connection()
    driver = found.connection.driver_connection if found.dialect.name == "sqlite" else None
    session.info[CONNECTION] = (session.get_transaction(), found, driver)
    return found, driver


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for SQLite: its SQL, how to fill each `?`, how to read each column."""

    sql: str
    parameters: tuple[tuple[str, Any, Processor], ...]  # (key, constant or _MISSING, processor)
    columns: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, converter), if any
    factories: tuple[tuple[str, Callable[[], Any]], ...]  # column defaults made at each run
    statement: ClauseElement  # kept alive: plans are found by the statement's id


_plans: dict[tuple[int, frozenset[str] | None], _Plan] = {}
_plans_lock = threading.Lock()


def _default(column: Any, dml: str) -> Any:
    """The Python-side default an insert (or update) fills in for `column`: a value, a
    function to call at each run, or _MISSING."""
    default = column.default if dml == "insert" else column.onupdate
    if default is None:
        return _MISSING
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy wraps column defaults to take a context
    raise ValueError(f"column {column.key} has a default this path cannot compute")


def _plan(statement: Any, keys: frozenset[str] | None, dialect: Dialect) -> _Plan:
    dml = "insert" if statement.is_insert else "update" if statement.is_update else None
    column_keys = sorted(keys) if dml and keys is not None else None
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    # Binds without a value come from the caller's parameters at each run.
    given = {name for name, bind in compiled.binds.items() if bind.required} | (keys or set())
    if any(bind.expanding for bind in compiled.binds.values()):
        # An IN list is rendered at execution; render it now (it is a constant of the
        # statement), with placeholder values for the binds the caller gives.
        filled = statement.params(dict.fromkeys(given))
        compiled = filled.compile(
            dialect=dialect,
            column_keys=column_keys,
            compile_kwargs={"render_postcompile": True},
        )
    table = statement.table if dml else None
    values = compiled.params
    parameters = []
    factories = []
    for name in compiled.positiontup or ():
        # An IN list's items ("status_1_1") take the type of their list's bind ("status_1").
        bind = compiled.binds[name if name in compiled.binds else name.rsplit("_", 1)[0]]
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        constant: Any = _MISSING
        if name not in given:
            column = table.c.get(name) if table is not None else None
            found = _default(column, dml or "") if column is not None else _MISSING
            if callable(found):
                factories.append((name, found))
                parameters.append((name, _MISSING, processor))
                continue
            constant = values[name] if found is _MISSING else found
            if processor is not None:
                constant = processor(constant)
                processor = None
        parameters.append((name, constant, processor))
    exported = getattr(statement, "exported_columns", None)
    converters = [
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in (exported if exported is not None else ())
    ]
    columns = tuple((i, convert) for i, convert in enumerate(converters) if convert is not None)
    return _Plan(compiled.string, tuple(parameters), columns, tuple(factories), statement)


def _run(
    session: Session, statement: Any, parameters: Mapping[str, Any] | None
) -> tuple[Any, _Plan | None]:
    """Run `statement`: a sqlite3 cursor and its plan, or SQLAlchemy's result and None."""
    conn, driver = _kept(session)
    given = parameters or {}
    if driver is None:
        return conn.execute(statement, dict(given)), None
    keys = frozenset(given) if statement.is_dml else None
    plan = _plans.get((id(statement), keys))
    if plan is None:
        with _plans_lock:
            plan = _plans[(id(statement), keys)] = _plan(statement, keys, conn.dialect)
    if plan.factories:
        given = {**given, **{name: make() for name, make in plan.factories}}
    values = [
        (processor(given[name]) if processor else given[name]) if constant is _MISSING else constant
        for name, constant, processor in plan.parameters
    ]
    return driver.execute(plan.sql, values), plan


def _convert(plan: _Plan, row: tuple[Any, ...]) -> tuple[Any, ...]:
    if not plan.columns:
        return row
    values = list(row)
    for position, convert in plan.columns:
        values[position] = convert(values[position])
    return tuple(values)


def rows(
    session: Session, statement: Any, parameters: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Every row `statement` returns."""
    result, plan = _run(session, statement, parameters)
    if plan is None:
        return [tuple(row) for row in result]
    return [_convert(plan, row) for row in result.fetchall()]


def first(
    session: Session, statement: Any, parameters: Mapping[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row `statement` returns, if any."""
    result, plan = _run(session, statement, parameters)
    if plan is None:
        row = result.first()
        return tuple(row) if row is not None else None
    found = result.fetchone()
    result.close()
    return _convert(plan, found) if found is not None else None


def scalar(session: Session, statement: Any, parameters: Mapping[str, Any] | None = None) -> Any:
    """The first column of the one row `statement` returns (an error if it returns none)."""
    row = first(session, statement, parameters)
    if row is None:
        raise LookupError("the statement returned no row")
    return row[0]


def execute(session: Session, statement: Any, parameters: Mapping[str, Any] | None = None) -> int:
    """Run a statement that returns no rows; how many rows it changed."""
    return int(_run(session, statement, parameters)[0].rowcount)
