"""A plain (non-editable) install finds every shipped policy, script and demo file."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (found,) = out.glob("agentdesk-*.whl")
    return found


def test_wheel_installs_into_a_fresh_venv_with_all_data(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True)
    shipped = sorted(str(p.relative_to(ROOT / "data")) for p in (ROOT / "data").rglob("*") if p.is_file())
    assert any(s.startswith("policies/") for s in shipped) and any(s.startswith("demo/") for s in shipped)
    code = (
        "import json, sys, agentdesk, agentdesk.paths as p\n"
        "from agentdesk.policy import list_policies, load_policy\n"
        "d = p.data_dir()\n"
        "missing = [f for f in json.loads(sys.argv[1]) if not (d / f).is_file()]\n"
        "policies = [load_policy(n).name for n in list_policies()]\n"
        "print(json.dumps({'pkg': agentdesk.__file__, 'data': str(d), 'missing': missing, 'policies': policies}))\n"
    )
    # Dependencies come from the test environment; agentdesk itself only from the fresh venv.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    env.pop("PYTHONSAFEPATH", None)
    result = subprocess.run([str(python), "-c", code, __import__("json").dumps(shipped)], capture_output=True,
                            text=True, env=env, cwd=tmp_path, check=True)
    info = __import__("json").loads(result.stdout)
    assert info["pkg"].startswith(str(venv)), info
    assert info["data"].startswith(str(venv)), info
    assert info["missing"] == []
    assert {"generic", "jilin-96633", "bazhong-96655", "isp-manual", "jiangxi", "ct-gd-10000"} <= set(info["policies"])
    # The console script and the migrations work from the installed copy.
    db = tmp_path / "fresh.sqlite3"
    up = subprocess.run([str(venv / "bin" / "agentdesk"), "db", "upgrade", "--db", str(db)], capture_output=True,
                        text=True, env={**env, "AGENTDESK_LANG": "en"}, cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert "upgraded" in up.stdout
