"""Where shipped data lives: inside the wheel, or the source tree's top-level data/."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_dir() -> Path:
    """The directory holding policies, scripts, phrase lists, KB and demo files.

    A wheel carries the top-level ``data/`` as ``agentdesk/data``; a source checkout
    (editable install, tests) reads ``data/`` beside the package.
    """
    packaged = Path(__file__).resolve().parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"
