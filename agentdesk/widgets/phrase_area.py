"""A text area checked against the forbidden service phrases (服务忌语) as the agent types.

Hits are highlighted in a read-back line under the field, each with its polite
alternative; saving anyway is allowed, and the service flags the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from agentdesk.i18n import get_language, t
from agentdesk.ui.text import plain


class PhraseArea(Vertical):
    DEFAULT_CSS = """
    PhraseArea {
        height: auto;
    }
    PhraseArea > TextArea {
        height: 5;
    }
    PhraseArea > .phrase-warning {
        display: none;
        height: auto;
        color: $warning;
    }
    PhraseArea.-flagged > .phrase-warning {
        display: block;
    }
    PhraseArea.-flagged > TextArea {
        border: tall $warning;
    }
    """

    @dataclass
    class Checked(Message):
        area: PhraseArea
        flagged: bool

        @property
        def control(self) -> PhraseArea:
            return self.area

    def __init__(self, text: str = "", *, id: str | None = None, placeholder: str = "") -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self._initial = text
        self._placeholder = placeholder
        self.flagged = False

    def compose(self) -> ComposeResult:
        yield TextArea(self._initial, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                       placeholder=self._placeholder)
        yield Static(classes="phrase-warning")

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @text.setter
    def text(self, value: str) -> None:
        self.query_one(TextArea).text = value

    def focus(self, scroll_visible: bool = True) -> Self:
        self.query_one(TextArea).focus(scroll_visible)
        return self

    def on_mount(self) -> None:
        self._check(self.text)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._check(event.text_area.text)

    def _check(self, text: str) -> None:
        from agentdesk.phrases import check, suggestion

        hits = check(text)
        self.flagged = bool(hits)
        self.set_class(self.flagged, "-flagged")
        warning = self.query_one(".phrase-warning", Static)
        if hits:
            lang = get_language()
            # The hit in context, highlighted, then each phrase with its polite form.
            first = hits[0]
            lo, hi = max(0, first.start - 12), min(len(text), first.end + 12)
            # Each piece cleaned on its own, so the highlight stays on the phrase itself.
            before, hit, after = (plain(text[a:b]).replace("\n", " ") for a, b in
                                  ((lo, first.start), (first.start, first.end), (first.end, hi)))
            context = Content(before) + Content(hit).stylize("reverse bold") + Content(after)
            tips = Content("; ").join(
                Content(t("phrase.instead", phrase=h.phrase, polite=suggestion(h, lang))) for h in hits[:3]
            )
            warning.update(Content(t("phrase.warning") + " ") + context + Content("\n") + tips)
        else:
            warning.update("")
        self.post_message(self.Checked(self, self.flagged))
