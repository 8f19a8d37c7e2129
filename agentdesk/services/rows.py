"""Typed access to stored rows: SQLModel declares every primary key optional (it is None until
the row is flushed) and gives table models no typed ``__table__``."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import Table
from sqlmodel import Session, SQLModel

from agentdesk.services.errors import NotFound

_M = TypeVar("_M", bound=SQLModel)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Stored) -> int:
    """The id of a row read from the database or flushed to it."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id until it is flushed")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for bulk statements."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def get_or_not_found(session: Session, model: type[_M], id_: int, key: str, **options: Any) -> _M:
    """``session.get(model, id_, **options)``, or NotFound(``key``, id=id_) when there is no such row."""
    row = session.get(model, id_, **options)
    if row is None:
        raise NotFound(key, id=id_)
    return row
