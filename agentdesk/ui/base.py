"""The bases of every screen and dialog: the facade, replies from workers, one place for failures.

A screen reaches the services only through ``self.desk`` (see ``agentdesk/client``), from a
thread worker. The worker returns a small typed message (a dataclass nested in the screen,
``HitsFound(query, hits)``); once it has finished the base posts that message, and the
screen handles it with ``@on``. A worker replaced by a newer one (``exclusive``) or cancelled
with its screen never finishes, so its stale result is never shown. A worker that fails ends
in :meth:`worker_failed`, the one place that says what went wrong in the agent's words; a
screen that shows errors somewhere else (under a field, on the closing step) overrides it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from textual import work
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.worker_errors import error_text

if TYPE_CHECKING:
    from agentdesk.client.desk import Desk
    from agentdesk.config import Settings
    from agentdesk.services.changes import Change
    from agentdesk.services.outages import OutageInfo

R = TypeVar("R")


class DeskHost(Protocol):
    """What screens may ask of the app (``agentdesk.app.AgentDeskApp``), without importing it."""

    settings: Settings
    policy_label: str
    active_outages: list[OutageInfo]  # published to the banners through ``outages_signal``

    def client(self) -> Desk:
        """The facade, once the database is open (waits for it: worker threads only)."""
        ...

    def refresh_outages(self) -> None:
        """Read the active outages again now (after this desk changed one)."""
        ...

    def session_ended(self, message_key: str) -> None:
        """The server ended this desk's session: back to the login, saying why."""
        ...

    def watch_screens(self) -> None:
        """The screens on show changed: the facade is told the topics they react to."""
        ...


class Quit(Enum):
    """A screen's answer to Ctrl+Q, asked from the top of the stack down."""

    DEFER = "defer"  # the screen below decides
    HANDLED = "handled"  # this screen took it (asked to confirm, started the handover)
    EXIT = "exit"  # exit now, whatever is below


class ScreenBase(LocalizedBindings, Screen[R]):
    @dataclass
    class Acted(Message):
        """A change made with :meth:`act` went through: which one, and what the facade returned."""

        what: str
        result: object

    @property
    def host(self) -> DeskHost:
        return cast("DeskHost", self.app)

    @property
    def desk(self) -> Desk:
        """The services, as this agent: call from a thread worker only (it may wait)."""
        return self.host.client()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Message):
            self.post_message(worker.result)
        elif event.state == WorkerState.ERROR:
            self.worker_failed(worker.group, worker.error)

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def act(self, what: str, change: Callable[[Desk], object]) -> Acted:
        """One change through the facade, in a worker: one unit of work, the rules checked in
        the services; the screen handles :class:`Acted` (or a failure in :meth:`worker_failed`)."""
        return self.Acted(what, change(self.desk))

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        """The one place a failed worker becomes a message for the agent."""
        from agentdesk.services.errors import Unauthenticated

        if isinstance(error, Unauthenticated):  # on a server: expired or ended; drafts were kept
            self.host.session_ended("server.session_ended")
            return
        self.notify(error_text(error), severity="error", markup=False)

    def quit_requested(self) -> Quit:
        return Quit.DEFER

    # -- changes made elsewhere: the screen reloads itself, no key needed -------------------------

    #: The topics that make this screen read its data again (``services.changes.Topic``).
    RELOAD_ON: tuple[str, ...] = ()
    #: A list reloads at most this often, however many changes arrive (a busy center changes
    #: work orders every second; 500 desks each reloading on each one would be the load).
    RELOAD_EVERY = 3.0

    def changes_arrived(self, found: list[Change]) -> None:
        """From the app: changes other desks (or this one) committed. Reloads when one concerns
        this screen; a screen under another reloads when it is shown again."""
        if not any(c.topic == "resync" or (c.topic in self.RELOAD_ON and self.concerns(c)) for c in found):
            return
        if not self.is_current:
            self._stale = True
            return
        self._reload_soon()

    def concerns(self, change: Change) -> bool:
        """Whether this change is one the screen shows (all of its topic, unless overridden)."""
        return True

    def reload(self) -> None:
        """Read the data again (a change made elsewhere)."""

    def _reload_soon(self) -> None:
        import time

        now = time.monotonic()
        last = getattr(self, "_reloaded_at", -1e9)
        if now - last >= self.RELOAD_EVERY:
            self._reloaded_at = now
            self.reload()
        elif not getattr(self, "_reload_pending", False):
            self._reload_pending = True
            self.set_timer(self.RELOAD_EVERY - (now - last), self._pending_reload)

    def _pending_reload(self) -> None:
        self._reload_pending = False
        self._reload_soon()

    def on_screen_resume(self) -> None:
        self.host.watch_screens()
        if getattr(self, "_stale", False):
            self._stale = False
            self._reload_soon()


class DialogBase(ModalScreen[R], ScreenBase[R]):
    """A modal dialog over a screen: dismisses its result.

    ModalScreen comes first: Textual takes a class's default CSS along its first base, and
    a dialog must keep the modal's see-through background."""
