"""Normalizing phones, names and free text the way the desk stores and searches them."""

from __future__ import annotations

import pytest

from agentdesk.normalize import (
    PhoneError,
    clean_text,
    mask_phone,
    normalize_name,
    parse_phone,
    pinyin_keys,
    search_digits,
)


@pytest.mark.parametrize(
    ("raw", "number", "kind"),
    [
        ("１３８ ００１３ ８０００", "13800138000", "mobile"),
        ("+86 138-0013-8000", "13800138000", "mobile"),
        ("0086 13800138000", "13800138000", "mobile"),
        ("138\u200b0013\u200b8000", "13800138000", "mobile"),
        ("021-12345678转801", "02112345678#801", "landline"),
        ("0431 8888 1234", "043188881234", "landline"),
        ("(010) 88886666", "01088886666", "landline"),
    ],
)
def test_phone_normalized(raw: str, number: str, kind: str) -> None:
    phone = parse_phone(raw)
    assert (phone.number, phone.kind) == (number, kind)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("12800138000", "phone.bad_mobile"),
        ("1380013800", "phone.bad_mobile"),
        ("88881234", "phone.bad_landline"),
        ("138abc", "phone.bad_chars"),
        ("   ", "phone.empty"),
    ],
)
def test_phone_rejected(raw: str, key: str) -> None:
    with pytest.raises(PhoneError) as err:
        parse_phone(raw)
    assert err.value.key == key


def test_landline_display_keeps_area_code_and_extension() -> None:
    assert parse_phone("021-12345678转801").display == "021-12345678 ext 801"
    assert parse_phone("043188881234").display == "0431-88881234"


def test_mask() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("043188881234").endswith("1234") and "8888" not in mask_phone("043188881234")[:8]


def test_search_digits() -> None:
    assert search_digits("１３８-００") == "13800"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉.买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉 ・ 买买提", "阿卜杜拉·买买提"),
        ("张\u200b三", "张三"),
        ("\u202e张三", "张三"),
        ("𠮷田秀", "𠮷田秀"),
    ],
)
def test_names(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_clean_text_drops_escape_sequences_keeps_markup_literally() -> None:
    raw = "note [bold]x[/] [/ [@click=app.quit]x[/] \x1b[2J\x1b]52;c;aGk=\x07end\n第二行"
    cleaned = clean_text(raw)
    assert "\x1b" not in cleaned and "\x07" not in cleaned
    assert "[bold]x[/]" in cleaned and "[@click=app.quit]x[/]" in cleaned
    assert cleaned.endswith("end\n第二行")


def test_pinyin_initials() -> None:
    assert pinyin_keys("张三") == ("zs", "zhangsan")
    assert pinyin_keys("阿卜杜拉·买买提")[0] == "abdlmmt"


def test_cjk_wrap_keeps_hanzi_runs_together() -> None:
    from agentdesk.normalize import cjk_wrap

    assert cjk_wrap("1. 请客户确认\n3. 将机顶盒断电 30 秒后") == "1.请客户确认\n3.将机顶盒断电 30秒后"
    assert cjk_wrap("Press the red key") == "Press the red key"
