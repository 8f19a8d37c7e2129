"""Drafts typed while the server is away, kept in a small local file until it is back.

One JSON file per desk (``offline-drafts.json`` in the user data directory), owner-only,
rewritten whole and atomically on each change (a temporary file renamed over it): a desk
killed while the server was down finds its drafts there at the next start and sends them.
It holds only what the agent typed into open forms, never a token or a password.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from pathlib import Path

from agentdesk import clock
from agentdesk.services.drafts import DraftInfo


class OfflineDrafts:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, OSError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict]) -> None:
        if not data:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    @staticmethod
    def _key(form: str, key: str) -> str:
        return f"{form}\x1f{key}"

    def put(self, form: str, key: str, values: dict) -> None:
        with self._lock:
            data = self._read()
            data[self._key(form, key)] = {"form": form, "key": key, "values": values,
                                          "updated_at": clock.now().isoformat()}
            self._write(data)

    def get(self, form: str, key: str) -> DraftInfo | None:
        with self._lock:
            item = self._read().get(self._key(form, key))
        return _info(item) if item else None

    def all(self) -> list[DraftInfo]:
        with self._lock:
            return [_info(item) for item in self._read().values()]

    def count(self) -> int:
        with self._lock:
            return len(self._read())

    def discard(self, form: str, key: str, *, if_saved_at: datetime | None = None) -> None:
        with self._lock:
            data = self._read()
            item = data.get(self._key(form, key))
            if item is None:
                return
            if if_saved_at is not None and item.get("updated_at") != if_saved_at.isoformat():
                return  # typed again since it was sent: the newer one stays
            del data[self._key(form, key)]
            self._write(data)

    def discard_key(self, key: str, forms: tuple[str, ...] | None = None) -> None:
        with self._lock:
            data = self._read()
            kept = {k: v for k, v in data.items()
                    if not (v.get("key") == key and (forms is None or v.get("form") in forms))}
            if len(kept) != len(data):
                self._write(kept)


def _info(item: dict) -> DraftInfo:
    return DraftInfo(str(item["form"]), str(item["key"]), dict(item["values"]),
                     datetime.fromisoformat(str(item["updated_at"])))
