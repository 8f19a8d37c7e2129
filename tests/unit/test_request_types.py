"""The table of request types is the one place a request type is declared: every row has its
labels in both catalogs, a key of its own, and a form the desk can open."""

from __future__ import annotations

from agentdesk.i18n import LANGUAGES, catalog
from agentdesk.services.calls import REQUEST_TYPES
from agentdesk.services.requests import NO_REQUEST_LABEL_KEY, REQUESTS, label_key


def test_every_request_type_is_labelled_in_every_language() -> None:
    for lang in LANGUAGES:
        texts = catalog(lang)
        for row in REQUESTS:
            assert row.label_key in texts, (lang, row.code)
            assert "binding." + row.code in texts, (lang, row.code)
            for outcome in row.outcomes:
                assert "handover.outcome." + outcome in texts, (lang, row.code, outcome)
        assert NO_REQUEST_LABEL_KEY in texts


def test_keys_and_codes_are_unique_and_the_services_accept_them() -> None:
    assert len({r.key for r in REQUESTS}) == len(REQUESTS)
    assert REQUEST_TYPES == tuple(r.code for r in REQUESTS)


def test_a_call_without_a_request_type_is_named_not_keyed() -> None:
    assert label_key(None) == label_key("none") == NO_REQUEST_LABEL_KEY
    assert label_key("repair") == "request.repair"
