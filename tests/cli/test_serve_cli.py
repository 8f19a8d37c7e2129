"""``agentdesk serve`` as started from a shell: loopback unless told otherwise, and a warning
(in the agent's language, on stderr) when told to serve plain HTTP beyond this machine."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from agentdesk.i18n import t
from tests.serving import free_port, serve_process


def listening(pid: int) -> set[tuple[str, int]]:
    """The TCP addresses process ``pid`` listens on, read from /proc (IPv4 and IPv6)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host order (little-endian here).
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add((socket.inet_ntop(family, raw), int(port, 16)))
    return found


needs_proc = pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads /proc (Linux)")


@needs_proc
def test_serve_binds_loopback_by_default_and_does_not_warn(db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    with serve_process(db_url, port, env={"AGENTDESK_LANG": "en"}) as served:
        assert listening(served.proc.pid) == {("127.0.0.1", port)}
    assert f"http://127.0.0.1:{port}" in served.stdout
    assert t("server.plain_http_warning", lang="en", host="127.0.0.1") not in served.stderr
    assert "Warning" not in served.stderr


@needs_proc
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_plain_http_beyond_loopback_warns_on_stderr(db, db_url: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    with serve_process(db_url, port, "--host", "0.0.0.0", env={"AGENTDESK_LANG": lang}) as served:
        assert listening(served.proc.pid) == {("0.0.0.0", port)}
    warning = t("server.plain_http_warning", lang=lang, host="0.0.0.0")
    assert warning in served.stderr and warning not in served.stdout
    assert "--tls-cert" in warning
