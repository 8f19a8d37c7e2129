import pytest

from tests.pilot.conftest import demo_db, desk  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors stay visible: a blink landing while a loaded machine takes the screenshot
    would change the picture (seen under pytest -n 2 with other work running)."""
    from textual.widgets import Input, TextArea

    def visible(self) -> None:  # type: ignore[no-untyped-def]
        self._cursor_visible = True

    monkeypatch.setattr(Input, "_toggle_cursor", visible)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", visible)
