"""Errors that cross module boundaries. Libraries raise these; only the CLI exits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about an input file: `contracts/acme.yaml:14: slas[1].target: reason`."""

    file: str
    line: int | None
    path: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" {self.path}:" if self.path else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}:{field} {prefix}{self.message}"


class SlamonError(Exception):
    """Base of every error slamon raises on purpose."""


class ContractError(SlamonError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(SlamonError):
    """Bad data file or argument; the message names file, line and column."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None) -> None:
        self.file, self.line, self.column = file, line, column
        where = ""
        if file:
            where = file + (f":{line}" if line is not None else "")
            where += f": {column}: " if column else ": "
        elif column:  # a flag or field with no file: still say which one
            where = f"{column}: "
        super().__init__(where + message)


class CollectorError(SlamonError):
    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None) -> None:
        self.transient = transient
        self.retry_after = retry_after
        super().__init__(message)


class TransientError(CollectorError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message, transient=True, retry_after=retry_after)


class PermanentError(CollectorError):
    def __init__(self, message: str) -> None:
        super().__init__(message, transient=False)


class CredentialsRefused(PermanentError):
    """The vendor answered 401 even with a freshly obtained token (or refused the token
    request). Not retried within a pass, but not proof of misconfiguration either: a
    vendor's auth service fails in storms too (a revoked token, an injected 401). The
    service pauses a source only after `Service.refusals_to_pause` of these in a row."""


class StorageError(SlamonError):
    pass


class ClaimError(SlamonError):
    """An illegal claim transition or a bad amount; the message says which and why."""
