"""``agentdesk serve --tls-cert --tls-key`` with a throwaway CA: the desk reaches it over
https and wss when its workstation trusts that CA (``SSL_CERT_FILE``), and refuses it when not."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from agentdesk.client.remote import RemoteDesk, ServerUnavailable
from agentdesk.services.changes import Topic
from tests.serving import free_port, serve_process

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="makes its certificates with openssl")


def make_ca_and_cert(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate it signed for 127.0.0.1: (CA, certificate, key)."""
    ca, ca_key = folder / "ca.pem", folder / "ca-key.pem"
    cert, key, csr = folder / "cert.pem", folder / "key.pem", folder / "server.csr"
    ext = folder / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
        ["req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=agentdesk test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
         "-extfile", ext],
    ):
        subprocess.run(["openssl", *map(str, command)], check=True, capture_output=True, timeout=30)
    return ca, cert, key


def test_the_desk_reaches_a_tls_server_through_its_ca(db, db_url: str, lead_and_agent, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = make_ca_and_cert(tmp_path)
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    trusting = ssl.create_default_context(cafile=str(ca))

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/health", verify=trusting, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    with serve_process(db_url, port, "--tls-cert", str(cert), "--tls-key", str(key), ready=ready) as served:
        # Not trusted without the CA: refused, as an unreachable server (nothing is sent).
        stranger = RemoteDesk([url], drafts_file=tmp_path / "stranger.json")
        with pytest.raises(ServerUnavailable):
            stranger.login("1024", "1024")
        stranger.close()
        with pytest.raises(httpx.TransportError):  # and no plain HTTP on that port
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)

        monkeypatch.setenv("SSL_CERT_FILE", str(ca))
        lead = RemoteDesk([url], drafts_file=tmp_path / "lead.json")
        agent = RemoteDesk([url], drafts_file=tmp_path / "agent.json")
        try:
            assert agent.login("1024", "1024").agent.number == "1024"
            lead.login("8001", "8001")
            assert agent.departments() == [] and agent.online is True
            time.sleep(0.5)  # the agent's push channel (wss) connects
            lead.declare_outage(areas=["城东"], services=["tv"], cause="光缆中断", eta=None, message="")
            deadline, seen = time.monotonic() + 10, []
            while time.monotonic() < deadline and not any(c.topic == Topic.OUTAGE for c in seen):
                seen += agent.wait_changes(0.2)
            assert any(c.topic == Topic.OUTAGE for c in seen), "no outage pushed over wss"
        finally:
            lead.close()
            agent.close()
    assert f"https://127.0.0.1:{port}" in served.stdout
    assert "Warning" not in served.stderr and "Traceback" not in served.stderr
