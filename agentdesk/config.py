"""Settings: database URL, UI language, policy preset, data directory.

Precedence for each: command-line option, then environment variable, then default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "agentdesk"
DEFAULT_POLICY = "generic"


def user_dir() -> Path:
    # Imported here: a desk started with --db (or AGENTDESK_DB) paints without it.
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return user_dir() / "agentdesk.sqlite3"


def demo_db_path() -> Path:
    return user_dir() / "demo.sqlite3"


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def normalize_db(value: str) -> str:
    """Accept a full SQLAlchemy URL, or a bare file path meaning SQLite."""
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return sqlite_url(value)


def resolve_language(option: str | None = None, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    raw = option or env.get("AGENTDESK_LANG") or env.get("LC_ALL") or env.get("LANG") or ""
    return "zh_CN" if raw.lower().startswith("zh") else "en"


@dataclass(frozen=True)
class Settings:
    db_url: str
    lang: str
    policy: str

    @classmethod
    def load(
        cls,
        db: str | None = None,
        lang: str | None = None,
        policy: str | None = None,
        default_db: Path | None = None,
    ) -> Settings:
        raw_db = db or os.environ.get("AGENTDESK_DB")
        url = normalize_db(raw_db) if raw_db else sqlite_url(default_db or default_db_path())
        return cls(
            db_url=url,
            lang=resolve_language(lang),
            policy=policy or os.environ.get("AGENTDESK_POLICY") or DEFAULT_POLICY,
        )
