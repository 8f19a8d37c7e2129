"""Building the demo database: departments, staff, knowledge base, customers, work, handovers."""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain

from faker import Faker

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import Customer, CustomerPhone, Department, KbArticle
from agentdesk.normalize import normalize_name, parse_phone, pinyin_keys
from agentdesk.paths import data_dir
from agentdesk.services import accounts, audit
from agentdesk.services.demo.bulk import BATCH, _BulkLoad, _insert, _set_sequence
from agentdesk.services.demo.people import _CUSTOMER_COLUMNS, _PHONE_COLUMNS, _customer_rows, _pooled_customer_rows
from agentdesk.services.demo.work import _bulk_work, _open_work

DEFAULT_SEED = 96633
#: Customers up to this id are named by Faker per row; the rest from its pools (see above).
FAKER_NAMES = 20_000
#: More work orders than this are built by the bulk path (a history, with callbacks).
BULK_WORK = 200


@dataclass(frozen=True)
class DemoLogin:
    number: str
    name: str
    role: str
    pin: str


@dataclass
class DemoSummary:
    customers: int = 0
    work_orders: int = 0
    callbacks: int = 0
    handovers: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _load(name: str) -> dict:
    with open(data_dir() / name, "rb") as fh:
        return tomllib.load(fh)


def build_demo(
    db: Database,
    *,
    customers: int = 2000,
    seed: int = DEFAULT_SEED,
    policy: str = "generic",
    progress: Callable[[int], None] | None = None,
    handovers: bool = True,
    workorders: int = 30,
) -> DemoSummary:
    """Fill an empty, migrated database with demo data.

    ``customers`` in all (the five fixed ones included); ``workorders`` — the default 30
    open orders come with 20 callbacks; above ``BULK_WORK``, a history of that many orders
    with about a fifth as many callbacks (see the package docstring).
    """
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    now = clock.now()
    people = _load("demo/people.toml")
    area_data = _load("demo/areas.toml")
    areas = area_data["area"]
    area_class = {a["name"]: a["class"] for a in areas}
    summary = DemoSummary()

    with db.write() as session:
        for dept in people["department"]:
            session.add(Department(code=dept["code"], name=dept["name"], phone=dept.get("phone")))
        for a in people["agent"]:
            accounts.create_agent(session, a["number"], a["name"], a["role"], a["pin"], team=a.get("team"))
            summary.logins.append(DemoLogin(a["number"], a["name"], a["role"], a["pin"]))
        kb = _load("kb/articles.toml")
        for art in kb["article"]:
            session.add(KbArticle(title=art["title"], body=art["body"].strip(), category=art.get("category", ""),
                                  tags=art.get("tags", ""), updated_at=now))
        # The fixed customers: the edge cases a newcomer should be able to find.
        next_id = 1
        for c in people["customer"]:
            name = normalize_name(c["name"])
            initials, full = pinyin_keys(name)
            cust = Customer(id=next_id, user_code=c["user_code"], name=name, name_initials=initials,
                            name_pinyin=full, address=c["address"], area_name=c["area"],
                            area_class=area_class[c["area"]], tier=c["tier"], created_at=now - timedelta(days=400))
            session.add(cust)
            session.flush()
            for raw in c["phones"]:
                ph = parse_phone(raw)
                session.add(CustomerPhone(customer_id=next_id, phone=ph.number, kind=ph.kind))
            next_id += 1
        audit.record(session, "demo.build", actor_id=None, seed=seed, customers=customers, workorders=workorders)

    remaining = max(0, customers - (next_id - 1))
    named = max(0, min(remaining, FAKER_NAMES - (next_id - 1)))
    rows = chain(
        ((tuple(row[c] for c in _CUSTOMER_COLUMNS), [(row["id"], p, k) for p, k in phones])
         for row, phones in _customer_rows(named, next_id, rng, fake, areas, area_data["area_code"], now)),
        _pooled_customer_rows(remaining - named, next_id + named, rng, fake, areas, area_data["area_code"], now),
    )
    with _BulkLoad(db, ("customers", "customer_phones"), remaining) as loading:
        done = _load_customers(db, rows, remaining, progress)
        summary.customers = next_id - 1 + done
        if not db.is_sqlite:
            with db.write() as session:
                _set_sequence(session, "customers")
        if workorders > BULK_WORK:
            with _BulkLoad(db, ("work_orders", "work_order_events", "callbacks"), workorders) as work:
                # Both loads in bulk: the customers' indexes are built while the orders are made.
                summary.work_orders, summary.callbacks = _bulk_work(
                    db, rng, policy, now, workorders, after_customers=loading if work.active else None)
        else:
            loading.restore()
            summary.work_orders, summary.callbacks = _open_work(db, rng, fake, policy, now, workorders)
    if handovers:
        # Past shifts with their handover notes, one of them not yet acknowledged by 1024.
        from agentdesk.services.handover_demo import build_demo_handovers

        summary.handovers = build_demo_handovers(db, rng=rng, now=now)
    return summary


def _load_customers(db: Database, rows: Iterator[tuple[tuple, list[tuple]]], remaining: int,
                    progress: Callable[[int], None] | None) -> int:
    done = 0
    while done < remaining:
        chunk = []
        phone_rows: list[tuple] = []
        for row, phones in rows:
            chunk.append(row)
            phone_rows += phones
            if len(chunk) >= BATCH:
                break
        if not chunk:
            break
        with db.write() as session:
            _insert(session, Customer, _CUSTOMER_COLUMNS, chunk)
            _insert(session, CustomerPhone, _PHONE_COLUMNS, phone_rows)
        done += len(chunk)
        if progress:
            progress(done)
    return done


def demo_logins() -> list[DemoLogin]:
    """The demo accounts, as shipped in data/demo/people.toml."""
    return [DemoLogin(a["number"], a["name"], a["role"], a["pin"]) for a in _load("demo/people.toml")["agent"]]
