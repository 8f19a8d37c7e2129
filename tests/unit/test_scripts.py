"""Call scripts: both languages in step, variables filled as data, stepping through a call."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from agentdesk.scripts import (
    CallScript,
    ScriptBook,
    ScriptError,
    ScriptStep,
    fill,
    join_list,
    load_scripts,
    placeholders,
    script_languages,
)

REQUIRED = {
    "greeting": {"agent_number"},
    "identify.ask": set(),
    "identify.unregistered": set(),
    "identify.confirm": {"customer_name"},
    "outage.notice": {"area", "services", "cause", "eta"},
    "outage.archived": set(),
    "consult.answer": set(),
    "consult.cant_answer": {"reply_by", "contact_phone"},
    "complaint.route": set(),
    "complaint.apologise": set(),
    "complaint.listen": set(),
    "complaint.restate": {"content"},
    "complaint.tell_when": {"reply_by"},
    "complaint.refuse_no_contact": set(),
    "repair.confirm": {"order_number", "department", "respond_by", "resolve_by"},
    "repair.ask_details": set(),
    "business.missing": {"business", "missing"},
    "business.complete": {"business", "order_number", "resolve_by"},
    "praise.readback": {"content"},
    "praise.archived": set(),
    "checklist.intro": set(),
    "checklist.reason": set(),
    "checklist.department": set(),
    "checklist.order": set(),
    "checklist.callback": set(),
    "closing.anything_else": set(),
    "closing.goodbye": set(),
    "callback.greeting": {"agent_number", "reason"},
    "callback.satisfied_end": set(),
    "callback.unsatisfied_end": set(),
    "callback.unreachable": {"agent_number"},
}
LANGS = ("zh_CN", "en")


def test_both_languages_ship() -> None:
    assert set(LANGS) <= set(script_languages())


def test_catalogs_have_the_same_keys() -> None:
    zh, en = load_scripts("zh_CN"), load_scripts("en")
    assert set(zh.keys()) == set(en.keys()), set(zh.keys()) ^ set(en.keys())


def test_placeholders_match_between_languages() -> None:
    zh, en = load_scripts("zh_CN"), load_scripts("en")
    for key in zh.keys():
        assert zh.placeholders(key) == en.placeholders(key), key


@pytest.mark.parametrize("lang", LANGS)
def test_required_keys_and_their_variables(lang: str) -> None:
    book = load_scripts(lang)
    for key, names in REQUIRED.items():
        assert key in book, key
        assert book.placeholders(key) == names, (key, book.placeholders(key))
        assert book.template(key).strip(), key


def test_zh_scripts_are_chinese_and_en_scripts_are_not() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    zh, en = load_scripts("zh_CN"), load_scripts("en")
    assert all(cjk.search(zh.template(k)) for k in zh.keys())
    assert not any(cjk.search(en.template(k)) for k in en.keys())


def test_greeting_exact() -> None:
    assert load_scripts("zh_CN").text("greeting", agent_number=1024) == "您好，1024号为您服务，请问有什么可以帮您？"
    assert "1024" in load_scripts("en").text("greeting", agent_number="1024")


def test_fixed_wording_from_the_seeds() -> None:
    zh = load_scripts("zh_CN")
    assert zh.text("identify.unregistered") == "请您留下姓名、住址和联系方式，以便我们为您处理。"
    assert zh.text("closing.anything_else") == "请问还有其他可以帮您的吗？"
    assert zh.text("closing.goodbye") == "感谢您的来电，再见！"
    repair = zh.text(
        "repair.confirm", order_number="WO-1", department="网络维护部",
        respond_by="10:00", resolve_by="明天 9:00",
    )
    assert repair == "已为您登记报修，工单号WO-1，网络维护部将在10:00前与您联系，预计明天 9:00前处理完毕。"


def test_load_is_cached() -> None:
    assert load_scripts("zh_CN") is load_scripts("zh_CN")


def test_unknown_key_names_key_and_file() -> None:
    book = load_scripts("en")
    with pytest.raises(KeyError) as info:
        book.text("no.such.step")
    assert "no.such.step" in str(info.value)
    assert "en.toml" in str(info.value)


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="zh_CN"):
        load_scripts("fr")


def test_bad_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "xx.toml"
    bad.write_text('[outage]\nnotice = 3\n', encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        ScriptBook.from_file(bad, "xx")
    assert info.value.key == "outage.notice"
    assert "xx.toml" in str(info.value)
    broken = tmp_path / "yy.toml"
    broken.write_text("greeting = \n", encoding="utf-8")
    with pytest.raises(ScriptError, match="yy.toml"):
        ScriptBook.from_file(broken, "yy")


# --- filling as data --------------------------------------------------------------------

HOSTILE = ["[bold]", "[/", "[@click=app.quit]x[/]", "{x}", "{{x}}", "}{", "{", "}", "{agent_number}", "%s", "\\"]


@pytest.mark.parametrize("value", HOSTILE)
def test_values_stay_literal(value: str) -> None:
    zh = load_scripts("zh_CN")
    assert zh.text("identify.confirm", customer_name=value) == f"请问您是{value}本人吗？"
    assert fill("<{a}|{b}>", {"a": value, "b": value}) == f"<{value}|{value}>"
    en = load_scripts("en")
    assert value in en.text("complaint.restate", content=value)


def test_missing_variables_stay_visible() -> None:
    zh = load_scripts("zh_CN")
    assert zh.text("greeting") == "您好，{agent_number}号为您服务，请问有什么可以帮您？"
    notice = zh.text("outage.notice", area="湖西社区")
    assert "湖西社区" in notice and "{services}" in notice and "{eta}" in notice
    assert fill("{a}-{b}", {"a": None}) == "{a}-{b}"


def test_fill_escapes_and_odd_templates() -> None:
    assert fill("{{literal}} {x}", {"x": 1}) == "{literal} 1"
    # Attribute access, indexing and format specs are not variables: left alone, no crash.
    assert fill("{x.__class__} {x[0]} {x:>5} {0} {", {"x": "v"}) == "{x.__class__} {x[0]} {x:>5} {0} {"
    assert placeholders("{a} {{b}} {c.d} {e}") == {"a", "e"}


def test_values_formatted_for_speech() -> None:
    assert fill("{t}", {"t": datetime(2026, 11, 23, 9, 5, 42)}) == "2026-11-23 09:05"
    assert fill("{n}", {"n": 0}) == "0"


def test_list_values_joined_per_language() -> None:
    assert join_list(["身份证", "户口本"], "zh_CN") == "身份证、户口本"
    assert join_list(["ID card", "lease"], "en") == "ID card, lease"
    assert join_list([], "en") == ""
    assert join_list(["一"], "zh_CN") == "一"
    zh = load_scripts("zh_CN").text("business.missing", business="新装", missing=["甲", "乙"])
    assert "甲、乙" in zh
    en = load_scripts("en").text("business.missing", business="install", missing=("a", "b"))
    assert "a, b" in en


def test_render_takes_a_mapping() -> None:
    zh = load_scripts("zh_CN")
    assert zh.render("greeting", {"agent_number": "2048"}) == zh.text("greeting", agent_number="2048")


# --- stepping through a call --------------------------------------------------------------

def test_call_script_steps() -> None:
    book = load_scripts("zh_CN")
    script = CallScript.build(book, ["greeting", "identify.ask", "closing.goodbye"], {"agent_number": 1024})
    assert len(script) == 3
    assert script.keys() == ("greeting", "identify.ask", "closing.goodbye")
    assert script.current == ScriptStep("greeting", "您好，1024号为您服务，请问有什么可以帮您？")
    assert script.is_first and not script.is_last
    assert script.next is not None and script.next.key == "identify.ask"
    assert script.back().key == "greeting"  # stays on the first line
    assert script.advance().key == "identify.ask"
    assert script.advance().key == "closing.goodbye"
    assert script.is_last and script.next is None
    assert script.advance().key == "closing.goodbye"  # stays on the last line
    assert script.back().key == "identify.ask"
    assert [s.key for s in script] == list(script.keys())


def test_call_script_refill_keeps_position() -> None:
    book = load_scripts("en")
    script = CallScript.build(book, ["greeting", "identify.confirm", "closing.goodbye"], {"agent_number": 7})
    script.advance()
    assert "{customer_name}" in script.current.text
    script.refill({"agent_number": 7, "customer_name": "Zhang San"})
    assert script.position == 1
    assert "Zhang San" in script.current.text
    assert script.goto("closing.goodbye").key == "closing.goodbye"
    with pytest.raises(KeyError):
        script.goto("nope")


def test_call_script_rejects_empty_and_unknown() -> None:
    book = load_scripts("zh_CN")
    with pytest.raises(ValueError):
        CallScript.build(book, [])
    with pytest.raises(KeyError, match="no.such"):
        CallScript.build(book, ["greeting", "no.such"])


def test_scripts_do_not_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, agentdesk.scripts, agentdesk.phrases, agentdesk.business\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy', 'sqlmodel')]\n"
        "assert not bad, bad[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
