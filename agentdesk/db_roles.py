"""The two PostgreSQL roles of a shared center, as SQL an administrator can read and run.

The **owner** role owns the database and its tables; only it runs ``agentdesk db upgrade``.
The **app** role is what ``agentdesk serve`` connects as: it reads and writes the desk's
tables, but the audit log is append-only for it (``SELECT, INSERT`` on ``audit_events``, no
``UPDATE``, ``DELETE`` or ``TRUNCATE``), it cannot change the schema (no ``CREATE`` on the
schema, and the tables are not its own), and ``alembic_version`` is read-only. So a server
taken over, or its credentials copied, can neither rewrite history nor the schema.

The statements are idempotent: run them again after every ``db upgrade`` (new tables get the
app's rights through ``ALTER DEFAULT PRIVILEGES`` too, but re-running costs nothing).
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

#: Tables the app role may only read and append to.
APPEND_ONLY = ("audit_events",)
#: Tables the app role may only read.
READ_ONLY = ("alembic_version",)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role_name(name: str) -> str:
    """A role name safe to put into SQL unquoted-equivalent (lower case letters, digits, _)."""
    if not _IDENTIFIER.match(name or ""):
        raise ValueError(name)
    return name


def create_statements(owner: str, app: str, database: str) -> list[str]:
    """What a superuser runs once: the two roles (passwords set by hand) and the database."""
    owner, app, database = (check_role_name(n) for n in (owner, app, database))
    return [
        f"CREATE ROLE {owner} LOGIN PASSWORD 'change-me-owner'",
        f"CREATE ROLE {app} LOGIN PASSWORD 'change-me-app'",
        f"CREATE DATABASE {database} OWNER {owner} ENCODING 'UTF8' TEMPLATE template0",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
    ]


def grant_statements(app: str, *, owner: str | None = None, schema: str = "public") -> list[str]:
    """What the owner runs (after each upgrade): the app role's rights on the tables."""
    app, schema = check_role_name(app), check_role_name(schema)
    tables = f"ALL TABLES IN SCHEMA {schema}"
    statements = [
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
    ]
    for table in APPEND_ONLY:
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{table} FROM {app}")
    for table in READ_ONLY:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}.{table} FROM {app}")
    if owner is not None:
        owner = check_role_name(owner)
        statements += [
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        ]
    return statements


def apply(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.execute(text(statement))


def audit_is_append_only(connection: Connection, app: str) -> bool:
    """Whether ``app`` can add to the audit log but not change or remove a row of it."""
    app = check_role_name(app)
    row = connection.execute(text(
        "SELECT has_table_privilege(:r, 'audit_events', 'INSERT'), has_table_privilege(:r, 'audit_events', 'UPDATE'),"
        " has_table_privilege(:r, 'audit_events', 'DELETE'), has_table_privilege(:r, 'audit_events', 'TRUNCATE')"
    ), {"r": app}).one()
    return bool(row[0]) and not any(row[1:])
