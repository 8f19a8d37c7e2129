"""The demo database: realistic Chinese customers, staff, open work and a knowledge base.

Bulk inserts (one executemany per table, not one ORM object per row) keep a large demo
quick. Same seed, same people, numbers and addresses; times are relative to the clock.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy import insert, select

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import (
    Agent,
    Callback,
    Customer,
    CustomerPhone,
    Department,
    KbArticle,
    WorkOrder,
    WorkOrderEvent,
)
from agentdesk.normalize import normalize_name, parse_phone, pinyin_keys
from agentdesk.paths import data_dir
from agentdesk.services import accounts, audit

DEFAULT_SEED = 96633
TIER_WEIGHTS = {"regular": 90, "vip": 6, "big": 3, "private": 1}
BATCH = 5000


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


def _customer_rows(
    count: int, start_index: int, rng: random.Random, fake: Faker, areas: list[dict], area_code: str, now: datetime
):
    tiers = list(TIER_WEIGHTS)
    weights = list(TIER_WEIGHTS.values())
    for i in range(start_index, start_index + count):
        area = areas[rng.randrange(len(areas))]
        name = fake.name()
        initials, full = pinyin_keys(name)
        phones = [("1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}", "mobile")]
        if rng.random() < 0.3:
            phones.append((f"{area_code}{rng.randrange(8_0000_000, 9_0000_000)}", "landline"))
        building = rng.randrange(1, 40)
        unit = rng.randrange(1, 7)
        room = rng.randrange(1, 19) * 100 + rng.randrange(1, 5)
        yield (
            {
                "id": i,
                "user_code": f"2201{i:08d}",
                "name": name,
                "name_initials": initials,
                "name_pinyin": full,
                "address": f"{area['name']} {building} 栋 {unit} 单元 {room}",
                "area_name": area["name"],
                "area_class": area["class"],
                "tier": rng.choices(tiers, weights)[0],
                "created_at": now - timedelta(days=rng.randrange(30, 3000)),
            },
            phones,
        )


def build_demo(
    db: Database,
    *,
    customers: int = 2000,
    seed: int = DEFAULT_SEED,
    policy: str = "generic",
    progress: Callable[[int], None] | None = None,
    handovers: bool = True,
) -> DemoSummary:
    """Fill an empty, migrated database with demo data."""
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
            accounts.add_agent(session, a["number"], a["name"], a["role"], a["pin"], team=a.get("team"))
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
        audit.record(session, "demo.build", actor_id=None, seed=seed, customers=customers)

    remaining = max(0, customers - (next_id - 1))
    done = 0
    rows = _customer_rows(remaining, next_id, rng, fake, areas, area_data["area_code"], now)
    while done < remaining:
        chunk = []
        phone_rows = []
        for row, phones in rows:
            chunk.append(row)
            phone_rows.extend({"customer_id": row["id"], "phone": p, "kind": k} for p, k in phones)
            if len(chunk) >= BATCH:
                break
        if not chunk:
            break
        with db.write() as session:
            session.execute(insert(Customer), chunk)
            session.execute(insert(CustomerPhone), phone_rows)
        done += len(chunk)
        if progress:
            progress(done)
    summary.customers = next_id - 1 + done

    summary.work_orders, summary.callbacks = _open_work(db, rng, fake, policy, now)
    if handovers:
        # Past shifts with their handover notes, one of them not yet acknowledged by 1024.
        from agentdesk.services.handover_demo import build_demo_handovers

        summary.handovers = build_demo_handovers(db, rng=rng, now=now)
    return summary


def _open_work(db: Database, rng: random.Random, fake: Faker, policy_name: str, now: datetime) -> tuple[int, int]:
    """Some open work orders (a few near or past their deadline) and callbacks due."""
    from agentdesk.services.deadlines import work_order_deadlines

    with db.write() as session:
        agents = session.execute(select(Agent.id, Agent.number).where(Agent.role == "agent")).all()
        depts = {code: did for did, code in session.execute(select(Department.id, Department.code)).all()}
        max_id = session.execute(select(Customer.id).order_by(Customer.id.desc()).limit(1)).scalar_one()
        kinds = [("repair", "NET"), ("repair", "NET"), ("install", "INST"), ("complaint", "CS"),
                 ("business", "BILL"), ("restore", "NET")]
        descriptions = {
            "repair": ["机顶盒无信号,重启无效", "宽带频繁掉线", "电视画面马赛克严重", "光猫 LOS 灯闪红"],
            "install": ["新装 200M 宽带", "新装数字电视一台", "楼宇干线开通"],
            "complaint": ["维修人员未按约定时间上门", "月租费扣费有误"],
            "business": ["办理移机", "更换套餐为 200M"],
            "restore": ["欠费停机后已缴费,请求恢复"],
        }
        statuses = ["new", "dispatched", "in_progress"]
        count = 0
        for n in range(1, 31):
            kind, dept = rng.choice(kinds)
            cust = session.get(Customer, rng.randrange(1, max_id + 1))
            assert cust is not None
            created = now - timedelta(minutes=rng.randrange(20, 60 * 72))
            severity = rng.choices(["general", "major", "critical"], [80, 15, 5])[0]
            if cust.tier == "private":
                dept = "PRIV"
            elif cust.tier in ("vip", "big") and kind == "repair":
                dept = "VIP"
            clocks = work_order_deadlines(policy_name, kind, severity, cust.area_class, cust.tier, created)
            agent_id = rng.choice(agents)[0]
            status = rng.choice(statuses)
            wo = WorkOrder(
                number=f"GD{created:%Y%m%d}{n:04d}",
                customer_id=cust.id,
                kind=kind,
                severity=severity,
                area_class=cust.area_class,
                tier=cust.tier,
                department_id=depts[dept],
                owner_agent_id=agent_id,
                status=status,
                description=rng.choice(descriptions[kind]),
                created_at=created,
                dispatched_at=created + timedelta(minutes=5) if status != "new" else None,
                **clocks,
            )
            session.add(wo)
            session.flush()
            session.add(WorkOrderEvent(work_order_id=wo.id, at=created, kind="created", agent_id=agent_id))
            audit.record(session, "workorder.create", actor_id=agent_id, entity="work_order", entity_id=wo.id)
            count += 1

        callbacks = 0
        reasons = {"after_repair": "维修完成回访", "after_install": "新装开通回访", "after_complaint": "投诉处理结果回访",
                   "periodic": "VIP 客户月度回访", "followup": "咨询问题答复"}
        for _ in range(20):
            kind = rng.choice(list(reasons))
            cust = session.get(Customer, rng.randrange(1, max_id + 1))
            assert cust is not None
            phone = session.execute(
                select(CustomerPhone.phone).where(CustomerPhone.customer_id == cust.id).limit(1)
            ).scalar_one_or_none()
            session.add(Callback(
                kind=kind, customer_id=cust.id, contact_name=cust.name, contact_phone=phone,
                reason=reasons[kind], due_at=now + timedelta(minutes=rng.randrange(-600, 2880)),
                created_at=now - timedelta(hours=rng.randrange(1, 48)),
            ))
            callbacks += 1
    return count, callbacks


def demo_logins() -> list[DemoLogin]:
    """The demo accounts, as shipped in data/demo/people.toml."""
    return [DemoLogin(a["number"], a["name"], a["role"], a["pin"]) for a in _load("demo/people.toml")["agent"]]
