"""Forbidden phrases （服务忌语）: found where typed, longest first, with a polite alternative."""

from __future__ import annotations

import time
from itertools import pairwise
from pathlib import Path

import pytest

from agentdesk.phrases import (
    PhraseBook,
    PhraseHit,
    PhrasesError,
    check,
    forbidden_phrases,
    polite_forms,
    suggestion,
)

# docs/design.md, "A call": the forbidden phrases (seed 002).
DESIGN_FORBIDDEN = [
    "不知道", "不关我事", "讨厌", "烦死了", "急什么", "等一会儿", "怎么搞的",
    "你弄错了", "自己去看", "下班了", "找别人去", "我不负责这些事",
]
DESIGN_POLITE = ["请", "您好", "稍候", "放心", "对不起", "谢谢", "别客气", "再见"]
ENGLISH_FORBIDDEN = ["not my job", "calm down", "I don't know", "call someone else", "you got it wrong", "hold on"]


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[h.start:h.end], h.phrase) for h in check(text)]


@pytest.mark.parametrize("phrase", DESIGN_FORBIDDEN)
def test_every_design_phrase_is_detected_with_a_suggestion(phrase: str) -> None:
    text = f"客户来电，坐席说：{phrase}。"
    hits = check(text)
    assert len(hits) == 1, hits
    hit = hits[0]
    assert text[hit.start:hit.end] == phrase
    assert hit.phrase == phrase
    assert hit.suggestion_zh and hit.suggestion_en and hit.gloss
    assert suggestion(hit, "zh_CN") == hit.suggestion_zh
    assert suggestion(hit, "en") == hit.suggestion_en
    # The suggestion itself is clean.
    assert check(hit.suggestion_zh) == []
    assert check(hit.suggestion_en) == []


@pytest.mark.parametrize("phrase", ENGLISH_FORBIDDEN)
def test_english_phrases_detected_case_insensitively(phrase: str) -> None:
    for variant in (phrase, phrase.upper(), phrase.title()):
        text = f"Well, {variant}!"
        hits = check(text)
        assert len(hits) == 1, (variant, hits)
        assert text[hits[0].start:hits[0].end] == variant
        assert hits[0].phrase == phrase


def test_every_listed_phrase_has_both_languages() -> None:
    phrases = forbidden_phrases()
    assert {p.phrase for p in phrases} >= set(DESIGN_FORBIDDEN) | set(ENGLISH_FORBIDDEN)
    for p in phrases:
        assert p.suggestion_zh.strip() and p.suggestion_en.strip() and p.gloss.strip(), p
        assert check(p.phrase) and check(p.phrase)[0].phrase == p.phrase


def test_longest_match_wins() -> None:
    text = "这个我不负责这些事"
    assert _found(text) == [("我不负责这些事", "我不负责这些事")]


def test_longest_match_wins_over_a_shorter_phrase_inside(tmp_path: Path) -> None:
    toml = tmp_path / "p.toml"
    toml.write_text(
        '[[forbidden]]\nphrase = "不负责"\ngloss = "g"\nsuggestion_zh = "a"\nsuggestion_en = "b"\n'
        '[[forbidden]]\nphrase = "我不负责这些事"\ngloss = "g"\nsuggestion_zh = "c"\nsuggestion_en = "d"\n',
        encoding="utf-8",
    )
    book = PhraseBook.from_file(toml)
    hits = book.check("我不负责这些事，也不负责那个")
    assert [(h.start, h.end, h.phrase) for h in hits] == [(0, 7, "我不负责这些事"), (9, 12, "不负责")]


def test_hits_sorted_and_non_overlapping() -> None:
    text = "下班了，找别人去吧，不知道。Hold on, not my job."
    hits = check(text)
    assert [h.phrase for h in hits] == ["下班了", "找别人去", "不知道", "hold on", "not my job"]
    assert all(a.end <= b.start for a, b in pairwise(hits))


def test_zero_width_inside_a_phrase_still_matches() -> None:
    text = "我说了不\u200b知\u200d道啊"
    hits = check(text)
    assert len(hits) == 1
    assert (hits[0].start, hits[0].end) == (3, 8)
    assert text[hits[0].start:hits[0].end] == "不\u200b知\u200d道"
    assert hits[0].phrase == "不知道"
    # Leading invisible characters are not part of the hit.
    assert [(h.start, h.end) for h in check("\ufeff\u200b讨\u2060厌")] == [(2, 5)]
    # English, zero-width inside a word and between words.
    text = "ok, cal\u200bm \u200bdown"
    assert _found(text) == [("cal\u200bm \u200bdown", "calm down")]


def test_spaced_out_chinese_still_matches() -> None:
    assert _found("不 关我事") == [("不 关我事", "不关我事")]


def test_english_whole_words_and_apostrophes() -> None:
    assert check("the threshold one") == []
    assert check("Behold only") == []
    assert check("uncalm downtown") == []
    assert _found("Sorry, I DON’T KNOW yet") == [("I DON’T KNOW", "I don't know")]
    assert _found("我觉得I don't know就不对") == [("I don't know", "I don't know")]
    assert _found("hold\non") == [("hold\non", "hold on")]


@pytest.mark.parametrize(
    "text",
    [
        "请您稍候，我马上为您查询。",
        "您好，1024号为您服务，请问有什么可以帮您？",
        "请您放心，对不起，谢谢，别客气，再见。",
        "不知道您现在方便吗？",
        "如果您不知道用户编码，请告诉我您的电话号码。",
        "Thank you for waiting; one moment, please.",
        "I know the household one-time fee.",
        "",
    ],
)
def test_no_false_positive_on_polite_text(text: str) -> None:
    assert check(text) == []


def test_allowed_phrases_stay_narrow() -> None:
    assert [h.phrase for h in check("我不知道您说的是什么")] == ["不知道"]


def test_polite_forms() -> None:
    assert set(polite_forms("zh_CN")) >= set(DESIGN_POLITE)
    assert polite_forms("zh") == polite_forms("zh_CN")
    en = polite_forms("en")
    assert "please" in en and "thank you" in en
    for form in (*polite_forms("zh_CN"), *en):
        assert check(form) == [], form


def test_hit_is_a_plain_value() -> None:
    hit = check("烦死了")[0]
    assert isinstance(hit, PhraseHit)
    with pytest.raises(AttributeError):
        hit.start = 3  # type: ignore[misc]


def test_bad_phrase_file_names_file_and_entry(tmp_path: Path) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text('[[forbidden]]\nphrase = "x"\ngloss = "g"\nsuggestion_zh = "a"\n', encoding="utf-8")
    with pytest.raises(PhrasesError) as info:
        PhraseBook.from_file(toml)
    assert info.value.key == "forbidden[0].suggestion_en"
    assert "bad.toml" in str(info.value)
    toml.write_text('[[forbidden]]\nphrase = "x"\nlang = "fr"\n', encoding="utf-8")
    with pytest.raises(PhrasesError, match="lang"):
        PhraseBook.from_file(toml)


def test_fast_enough_for_every_keystroke() -> None:
    """A 2,000-character note is checked per keystroke; print the cost, assert nothing about it."""
    base = "客户反映宽带经常掉线，已经报修两次，请您稍候，我马上为您查询。Customer says the TV box is dead. "
    note = (base * (2000 // len(base) + 1))[:1990] + "不\u200b知道，hold on"
    check(note)  # warm up (compile)
    rounds = 50
    t0 = time.perf_counter()
    for _ in range(rounds):
        hits = check(note)
    per_call_ms = (time.perf_counter() - t0) / rounds * 1000
    print(f"\nphrase check on {len(note)} chars: {per_call_ms:.2f} ms per call")
    assert [h.phrase for h in hits] == ["不知道", "hold on"]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_call_scripts_themselves_are_clean(lang: str) -> None:
    from agentdesk.scripts import load_scripts

    book = load_scripts(lang)
    for key in book.keys():
        assert check(book.template(key)) == [], key
