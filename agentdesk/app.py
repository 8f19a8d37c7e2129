"""The Textual App: global bindings, the command palette, the database handle.

Thin on purpose: screens live in ``screens/``, rules in ``services/``. The database is
opened (and migrated) on a thread of its own after the first paint, so start-up never
waits on I/O, and thread workers started before that wait for it (``HeldUntilDatabase``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal

from agentdesk import clock as clock_module
from agentdesk.clock import Clock
from agentdesk.config import Settings
from agentdesk.i18n import set_language, t
from agentdesk.ui.localized import localize_bindings
from agentdesk.ui.textual_keys import localize_textual_bindings

OUTAGE_POLL_SECONDS = 0.5
OUTAGE_REFRESH_SECONDS = 10


class HeldUntilDatabase(ThreadPoolExecutor):
    """The event loop's default executor, which runs Textual's thread workers: those
    submitted before the database is open (or has failed to open) start when it is.

    The login screen checks the accounts in a worker from its ``on_mount``; that worker's
    imports (SQLModel, SQLAlchemy, pydantic: a few hundred milliseconds of Python) would
    otherwise take the GIL from the first paint half of the time, and then race the
    opening thread's imports of the same modules (two threads importing SQLAlchemy at
    once can fail: "partially initialized module 'sqlalchemy.engine'"). Held, they only
    wait: every worker needs the database.
    """

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="asyncio")
        self.database_ready = threading.Event()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        # Only Textual's worker runners: anything else (Windows timers) is not held.
        if not self.database_ready.is_set() and getattr(fn, "__qualname__", "").startswith("Worker._run_threaded."):
            return super().submit(self._when_ready, fn, *args, **kwargs)
        return super().submit(fn, *args, **kwargs)

    def _when_ready(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.database_ready.wait()
        return fn(*args, **kwargs)


class AgentDeskApp(App[None]):
    CSS_PATH = "agentdesk.tcss"
    TITLE = "agentdesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", "binding.quit", id="quit", priority=True),
        Binding("f1", "toggle_keys", "binding.keys", id="keys"),
        # Our own palette binding, so the footer's palette hint is translated too.
        Binding("ctrl+p", "command_palette", "binding.palette", id="palette", show=False, priority=True),
    ]

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        set_language(settings.lang)
        localize_textual_bindings()  # before any node copies its class's bindings
        if clock is not None:
            clock_module.set_clock(clock)
        super().__init__()
        localize_bindings(self)
        self.settings = settings
        self._db_future: Future = Future()
        self._quit_armed_at = -1e9
        # Outage broadcast: a cheap counter polled every half second, the active outages
        # published to every banner through this signal.
        self.outages_signal: Signal[list] = Signal(self, "outages")
        self.active_outages: list = []
        self._outage_watcher = None
        self._outages_loaded_at = -1e9
        self.policy_label = settings.policy

    async def on_event(self, event: events.Event) -> None:
        # Every field gets pasted text through here: cleaned once, before Input or TextArea
        # renders it verbatim to the terminal.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            from agentdesk.normalize import clean_paste

            event.text = clean_paste(event.text)
        await super().on_event(event)

    def on_mount(self) -> None:
        import asyncio

        from agentdesk.screens.login import LoginScreen

        executor = HeldUntilDatabase()
        asyncio.get_running_loop().set_default_executor(executor)
        self._db_future.add_done_callback(lambda _: executor.database_ready.set())
        self.title = t("app.title")
        self.push_screen(LoginScreen())
        # After the first frame: the database stack's imports stay off the first paint.
        self.call_after_refresh(self.open_database)
        self._install_signal_handlers()
        self.set_interval(OUTAGE_POLL_SECONDS, self.poll_outages)

    def open_database(self) -> None:
        """Open the database (check, migrate) on a thread of its own, not in the executor
        the workers are held in; quitting waits for it, as for a migration under way."""
        threading.Thread(target=self._open_database, name="agentdesk-open-database").start()

    def _open_database(self) -> None:
        from agentdesk.ui.keymap import install_user_keymap

        install_user_keymap(self)  # before the workers go: the screens it imports are not raced
        try:
            from agentdesk.db import open_database

            db = open_database(self.settings.db_url)
        except BaseException as exc:  # the workers waiting in database() get it
            self._db_future.set_exception(exc)
            return
        try:  # before the workers go: its imports (the policy engine) are not raced either
            self.policy_label = policy_title(self.settings.policy)
        except Exception:  # the preset's name stays on the status line
            pass
        self._db_future.set_result(db)
        # A large file's whole integrity check, when due: while the desk is in use.
        db.check_in_background(self._integrity_check_failed)

    def _integrity_check_failed(self, error: Exception) -> None:
        """From the background check's thread: say it on every screen until dismissed."""
        try:
            self.call_from_thread(self.notify, str(error), severity="error", timeout=24 * 3600, markup=False)
        except RuntimeError:  # the desk has closed meanwhile
            pass

    def _install_signal_handlers(self) -> None:
        """SIGTERM and SIGHUP (a closed terminal, a shutdown) save every draft, then exit."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self.terminate)
            except (NotImplementedError, RuntimeError, ValueError):  # no signals here (Windows, a thread)
                pass

    def terminate(self) -> None:
        """Write the drafts of every open form now (blocking: the UI is going away), then exit."""
        from agentdesk.ui.drafts import DraftKeeper

        if self._db_future.done() and self._db_future.exception() is None:
            for screen in self.screen_stack:
                if isinstance(screen, DraftKeeper):
                    try:
                        screen.flush_draft_now()
                    except Exception:  # a damaged form must not keep the others from being saved
                        continue
        self.exit(return_code=0)

    def poll_outages(self) -> None:
        if self._db_future.done() and self._db_future.exception() is None:
            self._poll_outages()

    @work(thread=True, exclusive=True, group="outage-poll", exit_on_error=False)
    def _poll_outages(self) -> None:
        import time

        from agentdesk.services.broadcast import Watcher
        from agentdesk.services.outages import active_outages

        db = self.database()
        if self._outage_watcher is None:
            self._outage_watcher = Watcher(db)
        changed = self._outage_watcher.poll()
        # Linked-call counts change without a broadcast: refresh now and then anyway.
        if changed or time.monotonic() - self._outages_loaded_at > OUTAGE_REFRESH_SECONDS:
            with db.read() as session:
                outages = active_outages(session)
            self._outages_loaded_at = time.monotonic()
            self.call_from_thread(self._publish_outages, outages)

    def _publish_outages(self, outages: list) -> None:
        self.active_outages = outages
        self.outages_signal.publish(outages)

    def database(self, timeout: float | None = None):  # type: ignore[no-untyped-def]
        """The open database; call from a worker thread only (it waits for the opening)."""
        return self._db_future.result(timeout)

    def on_unmount(self) -> None:
        if self._db_future.done() and self._db_future.exception() is None:
            self._db_future.result().dispose()

    async def action_quit(self) -> None:
        """Quit; during a call, only when asked twice, so a stray Ctrl+Q loses nothing."""
        from agentdesk.screens.call import CallScreen

        in_call = any(isinstance(s, CallScreen) for s in self.screen_stack)
        now = self._quit_clock()
        if in_call and now - self._quit_armed_at > 3:
            self._quit_armed_at = now
            self.notify(t("app.quit_in_call"), severity="warning", markup=False)
            return
        from agentdesk.screens.desk import DeskScreen
        from agentdesk.screens.handover_review import HandoverReviewScreen

        desk = next((s for s in self.screen_stack if isinstance(s, DeskScreen)), None)
        if desk is not None and not in_call and not isinstance(self.screen, HandoverReviewScreen):
            desk.hand_over(then_exit=True)  # quitting from the desk hands over like F10
            return
        self.exit()

    def _quit_clock(self) -> float:
        import time

        return time.monotonic()

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding active on the screen, plus theme, keys and quit, in the UI language."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            # Our actions carry ids; a focused field's editing keys (copy, delete word…)
            # are not commands an agent looks for.
            if binding.id is None or not binding.description or binding.action in seen \
                    or binding.action == "command_palette":
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                t("command.binding_help", key=self.get_key_display(binding)),
                partial(self.run_action, binding.action, active.node),
            )
        yield SystemCommand(t("command.theme"), t("command.theme_help"), self.action_change_theme)
        if "toggle_keys" not in seen:
            yield SystemCommand(t("command.keys"), t("command.keys_help"), self.action_toggle_keys)
        if "quit" not in seen:
            yield SystemCommand(t("command.quit"), t("command.quit_help"), self.action_quit)


def policy_title(name: str) -> str:
    """The preset's display name for the status line; its file name if it cannot be read."""
    from agentdesk.policy import PolicyError, load_policy

    try:
        policy = load_policy(name)
    except PolicyError:
        return name
    from agentdesk.i18n import get_language

    title = policy.title if get_language() == "zh_CN" else policy.title_en
    return title or name


def make_app(settings: Settings, *, clock: Clock | None = None) -> AgentDeskApp:
    """The one factory: the CLI and the tests build the same app."""
    return AgentDeskApp(settings, clock=clock)
