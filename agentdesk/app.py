"""The Textual App: global bindings, the command palette, navigation, the services' facade.

Thin on purpose: screens live in ``screens/``, dialogs in ``dialogs/``, rules in
``services/``. The database is opened (and migrated) on a thread of its own after the
first paint, so start-up never waits on I/O; screens reach it through :meth:`client`,
which their workers call first and which waits for the opening, so a worker started
before that only waits (no import of the database stack competes with the first paint).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, cast

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

if TYPE_CHECKING:
    from agentdesk.client.desk import Desk
    from agentdesk.db import Database
    from agentdesk.screens.desk import DeskScreen
    from agentdesk.screens.login import LoginScreen
    from agentdesk.services.changes import Change
    from agentdesk.services.outages import OutageInfo


class AgentDeskApp(App[None]):
    CSS_PATH = "agentdesk.tcss"
    TITLE = "agentdesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", "binding.quit", id="quit", priority=True),
        Binding("f1", "toggle_keys", "binding.keys", id="keys"),
        # Our own palette binding, so the footer's palette hint is translated too.
        Binding("ctrl+p", "command_palette", "binding.palette", id="palette", show=False, priority=True),
        # Priority (Textual's own Tab waits in the field's queue): the keys typed after Tab in
        # one burst go to the next field, as when typed slowly.
        Binding("tab", "focus_next_now", "binding.next_field", id="focus.next", show=False, priority=True),
        Binding("shift+tab", "focus_previous_now", "binding.previous_field", id="focus.previous", show=False,
                priority=True),
    ]

    def action_focus_next_now(self) -> None:
        self.screen.focus_next()

    def action_focus_previous_now(self) -> None:
        self.screen.focus_previous()

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        set_language(settings.lang)
        localize_textual_bindings()  # before any node copies its class's bindings
        if clock is not None:
            clock_module.set_clock(clock)
        super().__init__()
        localize_bindings(self)
        self.settings = settings
        self._db_future: Future[Database | None] = Future()  # None: a desk on a server
        self._desk: Desk | None = None
        # Outage broadcast: read at login and whenever a change says an outage moved (pushed by
        # a server, or seen by the desk's own change poll), published to every banner here.
        self.outages_signal: Signal[list[OutageInfo]] = Signal(self, "outages")
        self.active_outages: list[OutageInfo] = []
        self.policy_label = settings.policy
        self.link_text: str | None = None  # the status bar's word on the server link
        self.link_offline = False
        self._changes_stop = threading.Event()

    async def on_event(self, event: events.Event) -> None:
        # Every field gets pasted text through here: cleaned once, before Input or TextArea
        # renders it verbatim to the terminal.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            from agentdesk.normalize import clean_paste

            event.text = clean_paste(event.text)
        await super().on_event(event)

    def on_mount(self) -> None:
        from agentdesk.screens.login import LoginScreen

        self.title = t("app.title")
        self.push_screen(LoginScreen())
        # After the first frame: the database stack's imports stay off the first paint.
        self.call_after_refresh(self.open_database)
        self._install_signal_handlers()
        self.set_interval(1.0, self._read_link_status)

    # ---- the database and the facade ---------------------------------------------------------

    def open_database(self) -> None:
        """Open the database (check, migrate) on a thread of its own; quitting waits for it,
        as for a migration under way."""
        threading.Thread(target=self._open_database, name="agentdesk-open-database").start()

    def _open_database(self) -> None:
        from agentdesk.ui.keymap import install_user_keymap

        install_user_keymap(self)  # before the workers go: the screens it imports are not raced
        if self.settings.servers:
            self._open_server()
            return
        try:
            from agentdesk.client.local import LocalDesk
            from agentdesk.db import open_database

            db = open_database(self.settings.db_url)
            self._desk = LocalDesk(db, policy=self.settings.policy)
        except BaseException as exc:  # the workers waiting in client() get it
            self._db_future.set_exception(exc)
            return
        try:  # before the workers go: its imports (the policy engine) are not raced either
            self.policy_label = policy_title(self.settings.policy)
        except Exception:  # the preset's name stays on the status line
            pass
        self._db_future.set_result(db)
        self._watch_changes()
        # A large file's whole integrity check, when due: while the desk is in use.
        db.check_in_background(self._integrity_check_failed)

    def _open_server(self) -> None:
        """A desk on ``agentdesk serve``: no database here, the server's preset on the status line."""
        from agentdesk.client.remote import RemoteDesk
        from agentdesk.config import user_dir
        from agentdesk.services.errors import ServiceError

        desk = RemoteDesk(self.settings.servers, drafts_file=user_dir() / "offline-drafts.json")
        self._desk = cast("Desk", desk)
        try:
            desk.agent_count()  # learns the server's preset; unreachable now is said at login
            self.policy_label = policy_title(desk.policy or self.settings.policy)
        except ServiceError:
            pass
        self._db_future.set_result(None)
        self._watch_changes()

    def _database_open(self) -> bool:
        return self._db_future.done() and self._db_future.exception() is None

    # ---- changes made elsewhere, pushed (a server) or polled (one PC) ------------------------------

    def call_from_thread_quietly(self, callback: Callable[..., object], *args: object) -> bool:
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:  # the desk is closing
            return False
        return True

    def _watch_changes(self) -> None:
        """One daemon thread for the desk's life (not a worker: nothing waits for it to end)."""
        threading.Thread(target=self._changes_loop, name="agentdesk-changes", daemon=True).start()

    def _changes_loop(self) -> None:
        while not self._changes_stop.is_set():
            try:
                found = self.client().wait_changes(1.0)
            except Exception:  # the database or the server away for a moment: the status bar says so
                if self._changes_stop.wait(1.0):
                    return
                continue
            if found and not self._changes_stop.is_set() and not self.call_from_thread_quietly(self._changes_arrived,
                                                                                             found):
                return

    def _changes_arrived(self, found: list[Change]) -> None:
        from agentdesk.services.changes import Topic
        from agentdesk.ui.base import ScreenBase

        if any(c.topic == Topic.LOGOUT for c in found):
            self.session_ended("server.forced_logout")
            return
        if any(c.topic in (Topic.OUTAGE, "resync") for c in found):
            self.refresh_outages()
        from textual.css.query import NoMatches

        for screen in self.screen_stack:
            if isinstance(screen, ScreenBase) and screen.is_attached:
                try:
                    screen.changes_arrived(found)
                except NoMatches:  # the screen is being taken down as the change arrives
                    pass

    def session_ended(self, message_key: str) -> None:
        """The agent's session ended (a lead, a PIN or role change, expiry): back to the login;
        drafts were kept as typed, and the call resumes after the next login."""
        from agentdesk.screens.login import LoginScreen

        if isinstance(self.screen, LoginScreen):
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())
        self.notify(t(message_key), severity="warning", timeout=30, markup=False)

    def watch_screens(self) -> None:
        from agentdesk.ui.base import ScreenBase

        # Every screen of the stack: one under another marks itself stale and reloads when shown.
        topics = frozenset(topic for screen in self.screen_stack if isinstance(screen, ScreenBase)
                           for topic in screen.RELOAD_ON)
        if self._desk is not None:
            self._desk.watch(topics)  # a field the push thread sends: no I/O here

    def _read_link_status(self) -> None:
        self.watch_screens()  # also after a change of screens no resume announced (a dialog, the login)
        # A field the facade keeps up to date: no I/O here.
        if self._desk is not None:
            self.link_text = self._desk.link_status()
            self.link_offline = getattr(self._desk, "online", None) is False

    def client(self, timeout: float | None = None) -> Desk:
        """The facade to the services; from a worker thread only (it waits for the opening)."""
        self._db_future.result(timeout)
        assert self._desk is not None
        return self._desk

    def _integrity_check_failed(self, error: Exception) -> None:
        """From the background check's thread: say it on every screen until dismissed."""
        try:
            self.call_from_thread(self.notify, str(error), severity="error", timeout=24 * 3600, markup=False)
        except RuntimeError:  # the desk has closed meanwhile
            pass

    def on_unmount(self) -> None:
        self._changes_stop.set()
        if self._database_open() and self._desk is not None:
            self._desk.close()

    # ---- signals: drafts saved, then exit ------------------------------------------------------

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

        if self._database_open():
            for screen in self.screen_stack:
                if isinstance(screen, DraftKeeper):
                    try:
                        screen.flush_draft_now()
                    except Exception:  # a damaged form must not keep the others from being saved
                        continue
        self.exit(return_code=0)

    # ---- the outage broadcast ------------------------------------------------------------------

    def refresh_outages(self) -> None:
        if self._database_open():
            self._poll_outages(True)

    @work(thread=True, exclusive=True, group="outage-poll", exit_on_error=False)
    def _poll_outages(self, refresh: bool) -> None:
        outages = self.client().outages_if_changed(refresh=refresh)
        if outages is not None:
            self.call_from_thread(self._publish_outages, outages)

    def _publish_outages(self, outages: list[OutageInfo]) -> None:
        self.active_outages = outages
        self.outages_signal.publish(outages)

    # ---- navigation: login → desk → login ------------------------------------------------------

    def on_login_screen_logged_in(self, event: LoginScreen.LoggedIn) -> None:
        from agentdesk.screens.desk import DeskScreen

        self.refresh_outages()
        self.switch_screen(DeskScreen(event.result))

    def on_desk_screen_shift_ended(self, event: DeskScreen.ShiftEnded) -> None:
        if event.then_exit:
            self.exit()
            return
        from agentdesk.screens.login import LoginScreen

        self.switch_screen(LoginScreen())

    async def action_quit(self) -> None:
        """Each screen, from the top down, may take Ctrl+Q over (a call asks twice, the desk
        hands over first); when none does, the desk exits."""
        from agentdesk.ui.base import Quit, ScreenBase

        for screen in reversed(self.screen_stack):
            answer = screen.quit_requested() if isinstance(screen, ScreenBase) else Quit.DEFER
            if answer is Quit.HANDLED:
                return
            if answer is Quit.EXIT:
                break
        self.exit()

    # ---- keys and the command palette ----------------------------------------------------------

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding active on the screen, plus theme, keys and quit, in the UI language."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
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
