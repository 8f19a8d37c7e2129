"""What a phone number says about its caller, in the reader's language: how people write it,
where it is registered (号码归属地), its carrier, and what kind of line it is.

From Google's libphonenumber data (the ``phonenumbers`` package: mobile prefixes by province
and carrier, landline area codes, foreign numbers); short service numbers (10086, 95588, 12345)
are service lines. Pure: no I/O beyond the package's own data, imported on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SERVICE = re.compile(r"^(1\d{2,4}|9\d{4})$")  # 110, 10086, 12345, 95588 …


@dataclass(frozen=True)
class PhoneFacts:
    display: str  # 138 0013 8000, 021 1234 5678, +1 415-555-2671 (the extension apart)
    extension: str  # after '#': the screen words it ("转 801", "ext 801")
    region: str  # 北京市 / Beijing; "" when unknown
    carrier: str  # 中国移动 / China Mobile; "" for landlines and unknown
    kind: str  # mobile | landline | service | foreign | unknown


def describe(number: str | None, lang: str = "zh_CN") -> PhoneFacts:
    if not number:
        return PhoneFacts("", "", "", "", "unknown")
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType, carrier, geocoder

    main, _, extension = number.partition("#")
    if _SERVICE.match(main):
        return PhoneFacts(main, extension, "", "", "service")
    locale = "zh" if lang.startswith("zh") else "en"
    try:
        parsed = phonenumbers.parse(main, "CN")
    except phonenumbers.NumberParseException:
        return PhoneFacts(main, extension, "", "", "unknown")
    if not phonenumbers.is_valid_number(parsed):
        return PhoneFacts(main, extension, "", "", "unknown")
    foreign = parsed.country_code != 86
    display = phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL if foreign
                                         else PhoneNumberFormat.NATIONAL)
    kind = "foreign" if foreign else (
        "mobile" if phonenumbers.number_type(parsed) == PhoneNumberType.MOBILE else "landline")
    return PhoneFacts(display, extension, geocoder.description_for_number(parsed, locale),
                      carrier.name_for_number(parsed, locale), kind)
