"""Settings come from options, then the environment, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdesk.config import Settings, default_db_path, normalize_db, resolve_language


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"AGENTDESK_LANG": "zh_CN"}, "zh_CN"),
        (None, {"LANG": "zh_TW.UTF-8"}, "zh_CN"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {}, "en"),
        (None, {"AGENTDESK_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_language(option, env, expected) -> None:
    assert resolve_language(option, env) == expected


def test_db_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings.load().db_url.endswith(str(default_db_path()))
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "env.sqlite3"))
    assert Settings.load().db_url == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert Settings.load(db=str(tmp_path / "opt.sqlite3")).db_url.endswith("opt.sqlite3")


def test_postgres_urls_use_psycopg() -> None:
    assert normalize_db("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_db("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_policy_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.load().policy == "generic"
    monkeypatch.setenv("AGENTDESK_POLICY", "jiangxi")
    assert Settings.load().policy == "jiangxi"
    assert Settings.load(policy="bazhong-96655").policy == "bazhong-96655"
