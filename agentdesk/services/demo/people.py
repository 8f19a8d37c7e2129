"""The demo's customers: Faker-named rows for a small demo, pooled names for a large one."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import accumulate

from faker import Faker

from agentdesk.normalize import pinyin_keys

TIER_WEIGHTS = {"regular": 90, "vip": 6, "big": 3, "private": 1}


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


_CUSTOMER_COLUMNS = ("id", "user_code", "name", "name_initials", "name_pinyin", "address", "area_name",
                     "area_class", "tier", "created_at")
_PHONE_COLUMNS = ("customer_id", "phone", "kind")


class _NamePool:
    """Faker zh_CN's surnames (with their weights) and given names, drawn with our RNG."""

    def __init__(self, fake: Faker) -> None:
        provider = fake.provider("faker.providers.person")
        assert provider is not None
        surnames = provider.last_names
        self.surnames = list(surnames)
        self.cum_weights = list(accumulate(surnames.values()))
        self.given = list(provider.first_names)
        self.single = [g for g in self.given if len(g) == 1]
        self._keys: dict[str, tuple[str, str]] = {}

    def keys(self, part: str) -> tuple[str, str]:
        found = self._keys.get(part)
        if found is None:
            found = self._keys[part] = pinyin_keys(part)
        return found

    def draw(self, rnd: Callable[[], float]) -> tuple[str, str, str]:
        """(name, initials, full pinyin): the pinyin of the parts, joined (the same as of the
        whole name for every name these pools make; a unit test checks)."""
        surnames, given, single = self.surnames, self.given, self.single
        surname = surnames[min(bisect(self.cum_weights, rnd() * self.cum_weights[-1]), len(surnames) - 1)]
        if rnd() < 0.35:
            first = single[int(rnd() * len(single))] + single[int(rnd() * len(single))]
        else:
            first = given[int(rnd() * len(given))]
        (si, sf), (gi, gf) = self.keys(surname), self.keys(first)
        return surname + first, si + gi, sf + gf


def _pooled_customer_rows(
    count: int, start_index: int, rng: random.Random, fake: Faker, areas: list[dict], area_code: str, now: datetime
) -> Iterator[tuple[tuple, list[tuple]]]:
    """Like :func:`_customer_rows` (as ``_CUSTOMER_COLUMNS`` tuples), names from
    :class:`_NamePool`, every draw a ``random()``: the path for a large demo."""
    pool = _NamePool(fake)
    tiers = list(TIER_WEIGHTS)
    tier_cum = list(accumulate(TIER_WEIGHTS.values()))
    addresses = [(a["name"], a["class"]) for a in areas]
    created = [now - timedelta(days=d) for d in range(30, 3000)]
    rnd = rng.random
    for i in range(start_index, start_index + count):
        area_name, area_class = addresses[int(rnd() * len(addresses))]
        name, initials, full = pool.draw(rnd)
        phones = [(i, f"1{'3456789'[int(rnd() * 7)]}{int(rnd() * 1e9):09d}", "mobile")]
        if rnd() < 0.3:
            phones.append((i, f"{area_code}{8_0000_000 + int(rnd() * 1e7)}", "landline"))
        address = (f"{area_name} {1 + int(rnd() * 39)} 栋 {1 + int(rnd() * 6)} 单元 "
                   f"{(1 + int(rnd() * 18)) * 100 + 1 + int(rnd() * 4)}")
        tier = tiers[bisect(tier_cum, rnd() * tier_cum[-1])]
        yield ((i, f"2201{i:08d}", name, initials, full, address, area_name, area_class, tier,
                created[int(rnd() * len(created))]), phones)
