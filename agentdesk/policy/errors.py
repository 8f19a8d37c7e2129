"""Errors the policy layer raises.

A broken preset must be fixable from the message alone, so every problem names the file,
the key inside it and what is wrong; all problems of one file are gathered before raising
so ``agentdesk policy check`` can list them in one go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in one preset file."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class PolicyError(Exception):
    """A preset could not be found, read or validated.

    ``issues`` holds every problem found; ``file``, ``key`` and ``message`` are those of the
    first, for callers that only show one.
    """

    def __init__(self, issues: Sequence[PolicyIssue]) -> None:
        if not issues:
            raise ValueError("PolicyError needs at least one issue")
        self.issues: tuple[PolicyIssue, ...] = tuple(issues)
        first = self.issues[0]
        self.file = first.file
        self.key = first.key
        self.message = first.message
        super().__init__("\n".join(str(i) for i in self.issues))

    @classmethod
    def single(cls, file: str, key: str, message: str) -> PolicyError:
        return cls([PolicyIssue(file, key, message)])


class UnknownNameError(ValueError):
    """A kind, severity, area, tier or policy name that the policy does not know.

    Carries the valid names so a caller (the CLI, a form) can offer them.
    """

    def __init__(self, field: str, value: str, valid: Sequence[str]) -> None:
        self.field = field
        self.value = value
        self.valid: tuple[str, ...] = tuple(valid)
        super().__init__(f"unknown {field} {value!r}; valid: {', '.join(self.valid)}")


class PolicyNotFoundError(PolicyError):
    """No preset of that name in data/policies or the installation's policy directories."""

    def __init__(self, name: str, valid: Sequence[str], message: str) -> None:
        self.name = name
        self.valid: tuple[str, ...] = tuple(valid)
        super().__init__([PolicyIssue(name, "", message)])
