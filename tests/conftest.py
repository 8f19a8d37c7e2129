"""Shared fixtures: a temporary database, a fixed clock, the app factory, PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from agentdesk import clock
from agentdesk.clock import FixedClock, SystemClock
from agentdesk.config import Settings

if TYPE_CHECKING:
    from agentdesk.models import AuditEvent

T0 = datetime(2026, 11, 23, 9, 0)  # a Monday morning, a working day


TESTS = Path(__file__).resolve().parent
#: Folders whose tests start other processes or run for seconds (crash safety, several desks
#: on one file, the built wheel, benchmark smoke runs): the fast lane, ``-m "not slow"``, skips them.
SLOW_FOLDERS = frozenset({"crash", "perf", "processes"})
#: A test that asks for one of these needs a PostgreSQL server, wherever it lives.
POSTGRES_FIXTURES = frozenset({"pg_server", "pg_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Marked by place, not by hand: a new file in a slow folder is slow without anyone remembering.
    for item in items:
        try:
            folder = item.path.resolve().relative_to(TESTS).parts[0]
        except ValueError:
            continue
        if folder in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
        if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[FixedClock]:
    fc = FixedClock(T0)
    clock.set_clock(fc)
    yield fc
    clock.set_clock(SystemClock())


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    # The UI language is process-wide: a test that switches it must not leak into the next.
    from agentdesk.i18n import get_language, set_language

    before = get_language()
    yield
    set_language(before)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never touch the real user's data dir or pick up their settings.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # nor their keymap
    for var in ("AGENTDESK_DB", "AGENTDESK_LANG", "AGENTDESK_POLICY", "AGENTDESK_PIN", "AGENTDESK_KEYMAP",
                "AGENTDESK_SERVER", "AGENTDESK_CONFIG"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.sqlite3'}"


@pytest.fixture
def db(db_url: str):  # type: ignore[no-untyped-def]
    from agentdesk.db import open_database

    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def lead_and_agent(db):  # type: ignore[no-untyped-def]
    from agentdesk.services import accounts

    with db.write() as session:
        lead = accounts.create_agent(session, "8001", "王红梅", "lead", "8001", team="甲班")
        agent = accounts.create_agent(session, "1024", "李娜", "agent", "1024", team="甲班")
    return lead, agent


def add_zhang_san(session, *, user_code: str = "220100000001", name: str = "张三",  # type: ignore[no-untyped-def]
                  address: str = "朝阳区红旗街道 1 栋", area: str = "朝阳区红旗街道") -> tuple[int, int]:
    """The network department and the customer the tests call about (a city regular with the
    phone 13800138000, a customer for 400 days), added in ``session``: (department id, customer id)."""
    from agentdesk.models import Customer, CustomerPhone, Department

    dept = Department(code="NET", name="网络维护部")
    customer = Customer(user_code=user_code, name=name, address=address, area_name=area, area_class="city",
                        tier="regular", created_at=T0 - timedelta(days=400))
    session.add(dept)
    session.add(customer)
    session.flush()
    session.add(CustomerPhone(customer_id=customer.id, phone="13800138000"))
    return dept.id, customer.id


def audits(db_path: str, action: str) -> list[AuditEvent]:
    """The audit rows of one action in the SQLite file at ``db_path`` (opened and closed here)."""
    from sqlalchemy import select

    from agentdesk.db import open_database
    from agentdesk.models import AuditEvent

    db = open_database(f"sqlite:///{db_path}", migrate=False)
    try:
        with db.read() as s:
            return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())
    finally:
        db.dispose()


def settings_for(url: str, lang: str = "zh_CN") -> Settings:
    return Settings(db_url=url, lang=lang, policy="generic")


# ---- PostgreSQL -------------------------------------------------------------------

def _find_pg_bin() -> Path | None:
    for name in ("pg_ctl",):
        found = shutil.which(name)
        if found:
            return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL (no database part): CI's cluster, or a throwaway one."""
    given = os.environ.get("AGENTDESK_TEST_PG_URL")
    if given:
        yield given.rstrip("/")
        return
    bindir = _find_pg_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binary (pg_ctl) on this machine")
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="agentdesk-pg-"))
    datadir = base / "data"
    port = _free_port()
    prefix: list[str] = []
    if root:
        # pg_ctl refuses to run as root: run the cluster as the postgres user.
        shutil.chown(base, "postgres")
        os.chmod(base, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(base / "log"), "-w",
                    "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the server for one test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    for attempt in range(20):
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.5)
    yield f"{pg_server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
