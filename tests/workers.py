"""Waiting for the desk's workers in tests.

Textual's ``WorkerManager.wait_for_complete`` raises ``WorkerCancelled`` when any worker it
waits on was cancelled. The desk cancels workers on purpose: an exclusive worker (the
login's account check on each keystroke, the outage poll, a search) is replaced by a newer
one, and a popped screen's workers are cancelled. On a loaded machine a replaced worker is
still in the manager when the test waits, so a cancelled worker counts as finished here.
So does a worker that ended in a ServiceError (a wrong PIN, a refused action): that is a
designed outcome the screen turns into words for the agent, and a test asserts on those
words; whether the worker is still listed when the test waits is only timing. Any other
failure still raises.
"""

from __future__ import annotations

from textual.worker import WorkerCancelled, WorkerFailed

from agentdesk.services.errors import ServiceError


async def wait_for_workers(app) -> None:  # type: ignore[no-untyped-def]
    for worker in list(app.workers):
        try:
            await worker.wait()
        except WorkerCancelled:
            pass
        except WorkerFailed as failed:
            if not isinstance(failed.error, ServiceError):
                raise


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await wait_for_workers(pilot.app)
    await pilot.pause()


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Press keys as the agent would, then wait for what they started (workers, screens)."""
    await pilot.press(*keys)
    await settle(pilot)


async def until(pilot, check, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``check()`` comes true within ``seconds`` (a worker, a reload, a pushed change)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await pilot.pause(0.05)
    return check()
