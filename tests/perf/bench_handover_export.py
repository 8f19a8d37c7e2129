"""Benchmark: exporting a handover of many items to every format.

    python tests/perf/bench_handover_export.py            # 10,000 items
    python tests/perf/bench_handover_export.py 50000      # or any other count

The items (reproducibly random work orders, replies owed, callbacks and outages with
Chinese names, descriptions and phone numbers) are spread over ten notes of one team, as a
day's export would be, and built before the clock starts: only ``export()`` is timed, once
per format, masked, in Chinese. Target: each format within 1 s (issue 9).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta

from agentdesk.services.handover import HandoverCounts, HandoverItem, HandoverNoteInfo
from agentdesk.services.handover_export import export

FORMATS = ("csv", "json", "md", "xlsx")
START = datetime(2026, 11, 23, 8, 30)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
_TITLES = ("机顶盒无信号，重启无效", "宽带频繁掉线", "电视画面马赛克严重", "光猫 LOS 灯闪红", "新装 200M 宽带",
           "维修人员未按约定时间上门", "月租费扣费有误", "办理移机", "欠费停机后已缴费，请求恢复")
_KINDS = (("work_order", "repair", "dispatched"), ("work_order", "install", "new"),
          ("follow_up", "followup", "pending"), ("callback", "after_repair", "pending"),
          ("callback", "after_install", "claimed"), ("outage", "tv,broadband", "active"))


def build_notes(n_items: int, n_notes: int = 10, seed: int = 20261123) -> list[HandoverNoteInfo]:
    rng = random.Random(seed)
    per_note = [n_items // n_notes + (1 if i < n_items % n_notes else 0) for i in range(n_notes)]
    notes = []
    ref = 0
    for note_id, count in enumerate(per_note, start=1):
        items = []
        for _ in range(count):
            ref += 1
            kind, category, status = rng.choice(_KINDS)
            phone = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
            items.append(HandoverItem(
                kind=kind, ref=f"GD20261123-{ref:06d}" if kind == "work_order" else str(ref),
                title=rng.choice(_TITLES), due_at=START + timedelta(minutes=rng.randrange(-600, 4000)),
                status=status, customer_name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
                phone_masked=phone[:3] + "****" + phone[-4:], detail="网络维护部" if kind == "work_order" else "",
                phone=phone, entity_id=ref, category=category, badge=rng.choice(("on_time", "warning", "overdue")),
                created_at=START - timedelta(minutes=rng.randrange(10, 5000)),
            ))
        started = START + timedelta(hours=note_id)
        notes.append(HandoverNoteInfo(
            id=note_id, shift_id=note_id, agent_number=f"{1000 + note_id}", agent_name="李娜", team="甲班",
            seat=f"A-{note_id:02d}", compiled_at=started + timedelta(hours=8),
            confirmed_at=started + timedelta(hours=8),
            items=tuple(items),
            counts=HandoverCounts({"consult": 12, "repair": 9}, {"answered": 15, "work_order": 6}, 21),
            notes="朝阳区报修集中，已提醒网络维护部。\n回访队列里有几条今天到期，请优先处理。", phrase_flag=False,
            acks=(("1025", started + timedelta(hours=9)),), started_at=started, ended_at=started + timedelta(hours=8),
            ack_names=("张伟",),
        ))
    return notes


def run(n_items: int = 10_000) -> dict[str, float]:
    """Export ``n_items`` items to every format; seconds and bytes per format."""
    notes = build_notes(n_items)
    figures: dict[str, float] = {"items": n_items}
    for fmt in FORMATS:
        started = time.perf_counter()
        data = export(notes, fmt, lang="zh_CN")
        figures[f"{fmt}_seconds"] = time.perf_counter() - started
        figures[f"{fmt}_bytes"] = len(data)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0].replace("_", "")) if args else 10_000
    figures = run(n)
    print(f"{n:,} handover items in 10 notes:")
    for fmt in FORMATS:
        print(f"  {fmt:<4} {figures[f'{fmt}_seconds']:.3f} s  {figures[f'{fmt}_bytes'] / 1024:,.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
