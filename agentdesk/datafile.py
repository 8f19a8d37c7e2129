"""Reading the TOML data files in ``data/`` that centres edit (call scripts, phrases, materials).

Each reader raises its own subclass of :class:`DataFileError`, so a caller can tell a bad
script file from a bad phrase list, and every message names the file and the key: the
people who fix these files read the message, not the code.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file is missing or malformed; ``file`` and ``key`` say where to fix it."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file = file
        self.key = key
        self.message = message
        super().__init__(f"{file}: {key}: {message}")


def read_toml(path: Path, error: type[DataFileError]) -> dict[str, Any]:
    """The parsed file; a missing file or invalid TOML raises ``error`` naming the file."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise error(str(path), "", "file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(str(path), "", f"not valid TOML: {exc}") from exc
