"""The demo database: realistic Chinese customers, staff, open work and a knowledge base.

Bulk inserts (one executemany per batch, not one ORM object per row) keep a large demo
quick: ``agentdesk demo --customers 1000000 --workorders 1000000`` builds a center's worth
of data in about a minute (docs/performance.md). Same seed, same people, numbers,
addresses and work; times are relative to the clock.

Scale paths:

* customers — the first ``FAKER_NAMES`` are named by Faker zh_CN, one call per row, as
  the demo always was (so a small demo's people do not change); beyond, names are drawn
  from the same Faker surname (weighted) and given-name pools with the seeded RNG, a third
  of them with a two-character given name, and their pinyin is the cached pinyin of the
  parts — Faker and pypinyin per row would take most of the minute;
* work orders — up to ``BULK_WORK`` the hand-made open orders (with events and audit rows
  each); above, a history: orders spread over two years, the recent ones mostly open, the
  old ones closed (a few stuck open, so overdue), deadlines from the policy
  (``services.deadlines.work_order_deadlines``, one call per order: the pure engine makes
  hundreds of thousands a second), a ``created`` event each, one in fifty open orders
  paused; and their callbacks — owed for orders resolved or awaiting the callback, done
  for a share of the closed ones, and a few periodic VIP calls — about one per five orders.

From ``BULK_LOAD`` rows (SQLite) a table is loaded without its secondary indexes and
search triggers, which are built whole afterwards (:class:`_BulkLoad`); with customers
and work orders both in bulk, the customers' indexes are built on a thread while the
orders are generated into a staging file (:func:`_bulk_work`).
"""

from agentdesk.services.demo.build import (
    BULK_WORK,
    DEFAULT_SEED,
    FAKER_NAMES,
    DemoLogin,
    DemoSummary,
    build_demo,
    demo_logins,
)

__all__ = ["BULK_WORK", "DEFAULT_SEED", "FAKER_NAMES", "DemoLogin", "DemoSummary", "build_demo", "demo_logins"]
