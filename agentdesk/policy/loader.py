"""Finding and loading policy presets (TOML, read with stdlib ``tomllib``).

Presets live in ``data/policies/`` (shipped) and in the directories listed in the
``AGENTDESK_POLICY_DIR`` environment variable (``os.pathsep``-separated, an installation's
own presets); a preset there with the same name as a shipped one replaces it. A path to a
file can also be given directly. The format is documented in ``docs/policies.md``.

This module finds a preset, reads it and the chain of presets it ``extends``, and caches
the result; checking each file is :mod:`agentdesk.policy.validation`, merging the files and
deciding which rule wins is :mod:`agentdesk.policy.resolution`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from agentdesk.paths import data_dir
from agentdesk.policy.errors import PolicyError, PolicyIssue, PolicyNotFoundError
from agentdesk.policy.messages import msg, type_name
from agentdesk.policy.model import Policy
from agentdesk.policy.resolution import assemble
from agentdesk.policy.validation import Checker, Layer, known_kinds

POLICY_DIR_ENV = "AGENTDESK_POLICY_DIR"
DEFAULT_POLICY = "generic"
SUFFIX = ".toml"


# -- discovery ------------------------------------------------------------------------------


def builtin_policy_dir() -> Path:
    """The shipped presets: ``data/policies``."""
    return data_dir() / "policies"


def policy_dirs() -> tuple[Path, ...]:
    """Where presets are looked for, later entries overriding earlier ones."""
    extra = os.environ.get(POLICY_DIR_ENV, "")
    return (builtin_policy_dir(), *(Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()))


def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in policy_dirs():
        if directory.is_dir():
            for path in sorted(directory.glob(f"*{SUFFIX}")):
                found[path.stem] = path
    return found


def list_policies() -> list[str]:
    """Names of every preset available (shipped and installed), sorted."""
    return sorted(_index())


def policy_path(name: str) -> Path:
    """The file of the preset called ``name``; raises :class:`PolicyNotFoundError`."""
    index = _index()
    try:
        return index[name]
    except KeyError:
        valid = sorted(index)
        raise PolicyNotFoundError(name, valid, msg("err.not_found", name=name, valid=", ".join(valid))) from None


def _looks_like_path(value: str | os.PathLike[str]) -> bool:
    if isinstance(value, os.PathLike):
        return True
    return value.endswith(SUFFIX) or "/" in value or os.sep in value


# -- loading --------------------------------------------------------------------------------

_cache: dict[tuple[str, int, tuple[Path, ...]], Policy] = {}


def clear_cache() -> None:
    """Forget loaded presets (after editing a file in a long-running process)."""
    _cache.clear()


def load_policy(name_or_path: str | os.PathLike[str] = DEFAULT_POLICY) -> Policy:
    """Load a preset by name (``"bazhong-96655"``) or by path to a ``.toml`` file.

    Raises :class:`PolicyNotFoundError` for an unknown name and :class:`PolicyError` with
    every problem found for a file that cannot be read or is not valid.
    """
    path = Path(name_or_path) if _looks_like_path(name_or_path) else policy_path(str(name_or_path))
    path = path.expanduser().resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise PolicyError.single(str(path), "", msg("err.read", error=exc.strerror or exc)) from None
    key = (str(path), stamp, policy_dirs())
    cached = _cache.get(key)
    if cached is None:
        cached = _build(path)
        _cache[key] = cached
    return cached


def check_policy_file(path: str | os.PathLike[str]) -> list[PolicyIssue]:
    """Every problem of a preset file (empty when it is valid), without raising."""
    try:
        _build(Path(path).expanduser().resolve())
    except PolicyError as exc:
        return list(exc.issues)
    return []


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise PolicyError.single(str(path), "", msg("err.read", error=exc.strerror or exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError.single(str(path), "", msg("err.toml", error=exc)) from None
    except UnicodeDecodeError as exc:
        raise PolicyError.single(str(path), "", msg("err.read", error=exc)) from None


def _chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The file and the presets it extends, base first."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        if current in seen:
            names = " → ".join(p.name for p in [*seen, current])
            raise PolicyError.single(str(seen[-1]), "policy.extends", msg("err.extends_cycle", chain=names))
        seen.append(current)
        raw = _read(current)
        chain.append((current, raw))
        parent = raw.get("policy", {}).get("extends") if isinstance(raw.get("policy"), dict) else None
        if parent is None:
            current = None
        elif not isinstance(parent, str) or not parent.strip():
            raise PolicyError.single(
                str(current), "policy.extends", msg("err.type", expected=type_name("string"), got=repr(parent))
            )
        elif _looks_like_path(parent):
            current = (current.parent / parent).expanduser().resolve()
        else:
            try:
                current = policy_path(parent).resolve()
            except PolicyNotFoundError as exc:
                raise PolicyError.single(str(current), "policy.extends", exc.message) from None
    chain.reverse()
    return chain


def _build(path: Path) -> Policy:
    chain = _chain(path)
    known = known_kinds(chain)
    issues: list[PolicyIssue] = []
    layers: list[Layer] = []
    for number, (file, raw) in enumerate(chain):
        checker = Checker(file, number, known)
        layers.append(checker.run(raw))
        issues.extend(checker.issues)
    if issues:
        raise PolicyError(issues)
    return assemble(path, layers)


__all__ = [
    "DEFAULT_POLICY",
    "POLICY_DIR_ENV",
    "builtin_policy_dir",
    "check_policy_file",
    "clear_cache",
    "list_policies",
    "load_policy",
    "policy_dirs",
    "policy_path",
]
