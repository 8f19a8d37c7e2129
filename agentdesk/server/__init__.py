"""``agentdesk serve``: the one process that holds the database credentials.

Desks log in here and call an explicit allow-list of the facade's operations
(:mod:`agentdesk.client.wire`); the acting agent comes from the session. A push channel tells
each desk what changed (:mod:`.push`), fed by the change events every transaction writes
(:mod:`.feed`). The server keeps no state of its own: sessions, throttles and change events
live in the database, so several instances can serve one PostgreSQL.
"""
