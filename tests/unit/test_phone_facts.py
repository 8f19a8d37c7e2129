"""号码归属地 and carrier, in the reader's language, from libphonenumber's data."""

from __future__ import annotations

import pytest

from agentdesk.phone_facts import PhoneFacts, describe


@pytest.mark.parametrize("number, lang, facts", [
    ("13800138000", "zh_CN", PhoneFacts("138 0013 8000", "", "北京市", "中国移动", "mobile")),
    ("13800138000", "en", PhoneFacts("138 0013 8000", "", "Beijing", "China Mobile", "mobile")),
    ("02112345678#801", "zh_CN", PhoneFacts("021 1234 5678", "801", "上海市", "", "landline")),
    ("075512345678", "en", PhoneFacts("0755 1234 5678", "", "Shenzhen, Guangdong", "", "landline")),
    ("10086", "zh_CN", PhoneFacts("10086", "", "", "", "service")),
    ("95588", "en", PhoneFacts("95588", "", "", "", "service")),
    ("+14155552671", "en", PhoneFacts("+1 415-555-2671", "", "San Francisco, CA", "", "foreign")),
    ("12", "zh_CN", PhoneFacts("12", "", "", "", "unknown")),
    (None, "zh_CN", PhoneFacts("", "", "", "", "unknown")),
])
def test_a_number_described(number: str | None, lang: str, facts: PhoneFacts) -> None:
    assert describe(number, lang) == facts
