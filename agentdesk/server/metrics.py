"""Prometheus metrics of one server instance (``GET /metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("agentdesk_requests_total", "Requests answered, by operation and HTTP status",
                   ["operation", "status"], registry=REGISTRY)
LATENCY = Histogram("agentdesk_request_seconds", "Time to answer a request, by operation", ["operation"],
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0),
                    registry=REGISTRY)
PUSH_CONNECTIONS = Gauge("agentdesk_push_connections", "Desks connected to the push channel", registry=REGISTRY)
PUSHED = Counter("agentdesk_push_messages_total", "Change messages sent to desks", registry=REGISTRY)
LOGINS_REFUSED = Counter("agentdesk_logins_refused_total", "Logins refused, by reason", ["reason"],
                         registry=REGISTRY)
REPLAYED = Counter("agentdesk_replays_total",
                   "Requests sent again under a key already answered: answered from the record, not run twice",
                   registry=REGISTRY)
REFUSED = Counter("agentdesk_refused_total", "Requests refused for want of a session or a role",
                  ["reason"], registry=REGISTRY)
SESSION_CHECKS = Counter("agentdesk_session_checks_total",
                         "Sessions checked for a request: from the instance's cache of a few seconds, or read",
                         ["source"], registry=REGISTRY)
CTI_EVENTS = Counter("agentdesk_cti_events_total", "Call events from the phone system, by event and outcome",
                     ["event", "outcome"], registry=REGISTRY)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
