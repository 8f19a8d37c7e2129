"""One keyset page of a queue, as the work-order list and the callback queue return it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    rows: tuple[Any, ...]
    next_cursor: tuple[Any, ...] | None  # pass back as ``cursor=`` for the next page; None on the last page


__all__ = ["Page"]
