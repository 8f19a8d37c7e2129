"""A handover export written on the desk's own machine, by either facade."""

from __future__ import annotations

from pathlib import Path

from agentdesk.services.errors import InvalidInput


def refuse_existing(path: Path, overwrite: bool) -> Path:
    """The absolute target; InvalidInput when it exists and may not be replaced (asked before
    the export is made and audited)."""
    path = path.resolve()
    if path.exists() and not overwrite:
        raise InvalidInput("handover_ui.export_exists", field="path", path=str(path))
    return path


def write_export(path: Path, data: bytes, *, overwrite: bool) -> Path:
    """Write owner-only; the reasons it cannot be written, in the agent's words."""
    from agentdesk.services.private_file import write_private

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, data, overwrite=overwrite)
    except FileExistsError:
        raise InvalidInput("handover_ui.export_exists", field="path", path=str(path)) from None
    except OSError as exc:
        raise InvalidInput("handover.cli.write_failed", field="path", path=str(path),
                           error=exc.strerror or str(exc)) from None
    return path
