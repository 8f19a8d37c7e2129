"""The two roles of a shared center on a real PostgreSQL: the owner upgrades, the server's role
works the desk through ``agentdesk serve`` and cannot rewrite the audit log or the schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from litestar.testing import TestClient
from typer.testing import CliRunner

from agentdesk.cli.root import app as cli_app
from agentdesk.client import wire
from agentdesk.db import open_database
from agentdesk.server.app import create_app
from agentdesk.services import accounts

pytestmark = pytest.mark.postgres
runner = CliRunner()


@pytest.fixture
def center(pg_server: str) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:8]
    owner, app, name = f"owner_{tag}", f"app_{tag}", f"center_{tag}"
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    base = pg_server.split("@", 1)[1]
    printed = runner.invoke(cli_app, ["db", "grants", "--create", "--app-role", app, "--owner-role", owner,
                                      "--db", f"postgresql+psycopg://{owner}@{base}/{name}"],
                            env={"AGENTDESK_LANG": "en"})
    assert printed.exit_code == 0, printed.output
    creating = [line.rstrip(";") for line in printed.output.splitlines()
                if line.startswith(("CREATE", "REVOKE ALL ON DATABASE", "GRANT CONNECT"))]
    assert len(creating) == 5
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in creating:
            conn.execute(statement)  # type: ignore[arg-type]
    try:
        yield {"owner": f"postgresql+psycopg://{owner}@{base}/{name}",
               "app": f"postgresql+psycopg://{app}@{base}/{name}", "app_role": app, "owner_role": owner}
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
            for role in (app, owner):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[arg-type]


def test_the_servers_role_works_the_desk_and_only_appends_to_the_audit_log(center: dict[str, str]) -> None:
    env = {"AGENTDESK_LANG": "en"}
    upgraded = runner.invoke(cli_app, ["db", "upgrade", "--db", center["owner"]], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    applied = runner.invoke(cli_app, ["db", "grants", "--apply", "--app-role", center["app_role"],
                                      "--db", center["owner"]], env=env)
    assert applied.exit_code == 0, applied.output
    assert "cannot change or delete" in applied.output
    owner_db = open_database(center["owner"], migrate=False)
    with owner_db.write() as s:
        accounts.create_agent(s, "8001", "王红梅", "lead", "8001")
        accounts.create_agent(s, "1024", "李娜", "agent", "1024")
    owner_db.dispose()

    # The server as the app role: a lead declares an outage, an agent takes a call.
    db = open_database(center["app"], migrate=False)
    try:
        with TestClient(create_app(db, policy="generic", feed=False)) as client:
            def login(number: str) -> dict[str, str]:
                response = client.post(f"{wire.API}/login", json={"number": number, "pin": number})
                assert response.status_code == 200, response.text
                return {"Authorization": f"Bearer {response.json()['token']}"}

            lead, agent = login("8001"), login("1024")
            declared = client.post(f"{wire.API}/op/declare_outage", json={
                "areas": ["城东"], "services": ["tv"], "cause": "光缆中断", "eta": None, "message": "抢修中"},
                headers=lead)
            assert declared.status_code == 200, declared.text
            call = client.post(f"{wire.API}/op/start_call", json={}, headers=agent)
            assert call.status_code == 200, call.text
            made = client.post(f"{wire.API}/op/add_agent", json={"number": "1025", "name": "张伟", "role": "agent",
                                                                 "pin": "102510"}, headers=lead)
            assert made.status_code == 200, made.text
            refused = client.post(f"{wire.API}/op/board", json={}, headers=agent)
            assert refused.status_code == 403  # and its audit row was written by the app role
    finally:
        db.dispose()

    app_url = center["app"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(app_url, autocommit=True) as conn:
        (count,) = conn.execute("SELECT count(*) FROM audit_events").fetchone()  # type: ignore[misc]
        assert count >= 4
        conn.execute("INSERT INTO audit_events (at, action, entity) VALUES (now(), 'test.append', '')")
        # The search's gram triggers (migration 0007) run as the writer: the app role's grants cover them.
        conn.execute("INSERT INTO customers (user_code, name, name_initials, name_pinyin, address, area_name,"
                     " area_class, tier, created_at)"
                     " VALUES ('R1', '欧阳娜娜', '', '', '', '', 'city', 'regular', now())")
        conn.execute("UPDATE customers SET name = '欧阳修' WHERE user_code = 'R1'")
        conn.execute("INSERT INTO kb_articles (title, body, category, tags, updated_at)"
                     " VALUES ('宽带', '重启光猫', '', '', now())")
        (grams,) = conn.execute(  # type: ignore[misc]
            "SELECT count(*) FROM customer_name_grams g JOIN customers c ON c.id = g.customer_id"
            " WHERE c.user_code = 'R1' AND g.gram = '阳修'").fetchone()
        assert grams == 1
        conn.execute("DELETE FROM customers WHERE user_code = 'R1'")
        conn.execute("DELETE FROM kb_articles")
        for statement in ("UPDATE audit_events SET action = 'rewritten'", "DELETE FROM audit_events",
                          "TRUNCATE audit_events", "UPDATE alembic_version SET version_num = 'x'",
                          "CREATE TABLE sneaky (id int)", "DROP TABLE customers",
                          "ALTER TABLE audit_events DISABLE TRIGGER ALL"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[arg-type]


def test_grants_refuse_sqlite_and_odd_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"AGENTDESK_LANG": "en"}
    sqlite = runner.invoke(cli_app, ["db", "grants", "--db", str(tmp_path / "a.sqlite3")], env=env)
    assert sqlite.exit_code == 1 and "PostgreSQL" in sqlite.output
    odd = runner.invoke(cli_app, ["db", "grants", "--app-role", "x; DROP TABLE agents",
                                  "--db", "postgresql+psycopg://o@127.0.0.1:1/agentdesk"], env=env)
    assert odd.exit_code == 2 and "Not a usable role" in odd.output
