"""Schemathesis against the server's own OpenAPI description (``/schema/openapi.json``) on a
real uvicorn on loopback, over a small demo center with an agent and a lead logged in.

For every operation the description lists, a fixed number of requests generated from it
(valid bodies and, where the operation takes one, invalid ones), derandomized so every run
sends the same ones: no answer is a 5xx, every answer's status, content type and body are
the ones the description declares, an invalid body is refused with a 4xx, and a route that
declares the bearer session refuses a request without it. A 5xx found here is a server bug
(the failure prints the request as a curl line).

Runs with the README's test command (``pytest -n auto``, so in CI); slow-marked, as it sends
about two thousand requests (about a minute on two cores).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete, update
from sqlmodel import col

from agentdesk.client import wire
from agentdesk.db import Database, open_database
from agentdesk.models import Agent, LoginThrottle
from agentdesk.server.openapi import LOCAL_TIME
from agentdesk.services.accounts import hash_pin
from agentdesk.services.demo import build_demo
from tests.serving import free_port, serve_process

pytestmark = pytest.mark.slow

EXAMPLES = 20  # per operation and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]
# Not positive_data_acceptance: the services refuse more than a schema can say (an unknown call
# id, a phone that is not a phone); those are 404 and 422, checked for their shape above.
AGENT, LEAD = "1024", "8001"
ROLES = {AGENT: "agent", LEAD: "lead"}
# The description's times are the center's local time without an offset (a registry format
# schemathesis does not know): any from year 1 to 9999, near the limits of what a deadline adds to.
schemathesis.openapi.format(LOCAL_TIME, st.datetimes().map(lambda t: t.replace(microsecond=0).isoformat()))
#: Everything the server routes but does not describe (pages, the push channel): not fuzzed here.
UNDESCRIBED = {"/metrics", f"{wire.API}/push"}
DESCRIBED = (["/health", f"{wire.API}/info", f"{wire.API}/login", f"{wire.API}/logout", f"{wire.API}/refresh",
              f"{wire.API}/outages/active", f"{wire.API}/export_handovers", f"{wire.API}/sessions/end"]
             + [f"{wire.API}/op/{name}" for name in wire.OPERATIONS])


@dataclass
class Center:
    url: str
    db: Database
    schema: Any
    tokens: dict[str, str]
    http: requests.Session  # one for every request: a new one per request reloads the CA bundle each time

    def login(self, number: str) -> str:
        """A session of ``number``. What fuzzed requests may have done to its account is undone
        first (wrong PINs counted by address and number; a fuzzed account change hitting it),
        so the harness's own login never fails."""
        with self.db.write() as session:
            session.execute(delete(LoginThrottle))
            session.execute(update(Agent).values(failed_logins=0, locked_until=None))
            session.execute(update(Agent).where(col(Agent.number) == number)
                            .values(active=True, role=ROLES[number], pin_hash=hash_pin(number)))
        response = httpx.post(f"{self.url}{wire.API}/login", json={"number": number, "pin": number})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def relogin(self) -> None:
        """Fresh sessions after a fuzzed request ended one (a lead's order, the fuzzed number
        happening to be ours)."""
        self.tokens = {number: self.login(number) for number in (AGENT, LEAD)}

    def headers(self, path: str) -> dict[str, str]:
        if path == f"{wire.API}/logout":  # a session of its own: logging out ours would end the run
            return {"authorization": f"Bearer {self.login(AGENT)}"}
        name = path.rsplit("/", 1)[-1]
        restricted = name in wire.OPERATIONS and wire.OPERATIONS[name].roles is not None
        lead = path == f"{wire.API}/sessions/end" or restricted  # a lead may call every restricted one
        return {"authorization": f"Bearer {self.tokens[LEAD if lead else AGENT]}"}


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    """``agentdesk serve`` in a process of its own (the fuzzer's own work does not slow it down),
    on real time, over a demo center built here."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    db_url = f"sqlite:///{folder / 'center.sqlite3'}"
    db = open_database(db_url)
    build_demo(db, customers=50, handovers=False)
    port = free_port()
    try:
        with serve_process(db_url, port, env={"AGENTDESK_LANG": "en"}), requests.Session() as http:
            url = f"http://127.0.0.1:{port}"
            found = Center(url, db, schemathesis.openapi.from_url(f"{url}/schema/openapi.json"), {}, http)
            found.relogin()
            yield found
    finally:
        db.dispose()


def test_every_described_path_is_fuzzed(center: Center) -> None:
    assert set(center.schema.keys()) == set(DESCRIBED)


@pytest.mark.parametrize("path", DESCRIBED)
def test_the_server_answers_as_described(center: Center, path: str) -> None:
    (method,) = center.schema[path].keys()
    operation = center.schema[path][method]
    modes = [GenerationMode.POSITIVE]
    if operation.body:
        modes.append(GenerationMode.NEGATIVE)
    strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))

    # No shrinking: each try is an HTTP request, and the first failing one is printed as it was sent.
    @settings(max_examples=EXAMPLES * len(modes), derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def answers_as_described(case: schemathesis.Case) -> None:
        headers = center.headers(path)
        response = case.call(headers=headers, session=center.http, timeout=30)
        if response.status_code == 401 and "authorization" in headers and path != f"{wire.API}/login":
            center.relogin()  # one of ours was ended by the request: the next ones get new sessions
        case.validate_response(response, checks=CHECKS, headers=headers)

    answers_as_described()
