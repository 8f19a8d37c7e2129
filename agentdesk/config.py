"""Settings: database URL or server, UI language, policy preset, data directory.

Precedence for each: command-line option, then environment variable, then the config file
(``config.toml`` in the user config directory, or the file ``AGENTDESK_CONFIG`` names), then
the default. The config file is how a center's workstations are pointed at their servers::

    server = ["https://desk1.center.lan:8765", "https://desk2.center.lan:8765"]
    lang = "zh_CN"
"""

from __future__ import annotations

import os
import sys
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


def config_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("AGENTDESK_CONFIG"):
        return Path(env["AGENTDESK_CONFIG"]).expanduser()
    if sys.platform.startswith("linux"):
        # What platformdirs answers on Linux, without importing it before the first paint.
        base = env.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / APP_NAME / "config.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def read_config(environ: dict[str, str] | None = None) -> dict[str, object]:
    """The config file's settings; {} when there is none. A file that cannot be read is an error
    the desk reports at start (ValueError, worded by the caller)."""
    path = config_path(environ)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    import tomllib  # only when there is a file: most desks have none

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def parse_servers(value: object) -> tuple[str, ...]:
    """One URL, several separated by commas, or a list: each ``http(s)://host[:port]``."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    out = []
    for item in items:
        url = str(item).strip().rstrip("/")
        if not url:
            continue
        if "://" not in url:
            url = "http://" + url
        if not url.startswith(("http://", "https://")):
            raise ValueError(url)
        out.append(url)
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    db_url: str
    lang: str
    policy: str
    servers: tuple[str, ...] = ()  # a desk on `agentdesk serve`: no database of its own

    @classmethod
    def load(
        cls,
        db: str | None = None,
        lang: str | None = None,
        policy: str | None = None,
        default_db: Path | None = None,
        server: str | None = None,
    ) -> Settings:
        file = read_config() if not (db or os.environ.get("AGENTDESK_DB")) or not lang else {}
        raw_db = db or os.environ.get("AGENTDESK_DB") or (str(file["db"]) if file.get("db") else None)
        url = normalize_db(raw_db) if raw_db else sqlite_url(default_db or default_db_path())
        raw_server: object = server or os.environ.get("AGENTDESK_SERVER")
        if not raw_server and not (db or os.environ.get("AGENTDESK_DB")):
            raw_server = file.get("server")
        return cls(
            db_url=url,
            lang=resolve_language(lang or os.environ.get("AGENTDESK_LANG")
                                  or (str(file["lang"]) if file.get("lang") else None)),
            policy=policy or os.environ.get("AGENTDESK_POLICY") or str(file.get("policy") or "") or DEFAULT_POLICY,
            servers=parse_servers(raw_server),
        )
