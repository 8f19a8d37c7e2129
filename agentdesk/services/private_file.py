"""Files that carry customer data (exports): written whole and readable by their owner only.

The CLI and the desk write exports through here, so a file is either complete or absent,
and never readable by other accounts of a shared workstation.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to a temporary file beside ``path`` (mode 0600), flushed to disk, then
    renamed over it. Raises FileExistsError when ``path`` exists (or appears meanwhile) and
    ``overwrite`` is false; OSError when the directory cannot be written."""
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists() and not overwrite:
            raise FileExistsError(str(path))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
