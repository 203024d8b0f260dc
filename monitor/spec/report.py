"""`Report`: collects problems for one document and resolves their lines from paths."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from monitor.errors import Problem
from monitor.spec import v1
from monitor.spec.yamlpos import Document, PathKey, format_path


class Report:
    """Collects problems for one document, resolving lines from paths."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def error(self, path: PathKey, message: str) -> None:
        self.problems.append(
            Problem(self.doc.file, self.doc.line_of(path), format_path(path), message)
        )

    def warn(self, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.doc.file, self.doc.line_of(path), format_path(path),
                                     message, severity="warning"))

    def raw(self, path: PathKey) -> Any:
        node: Any = self.doc.data
        for part in path:
            if isinstance(node, dict) and part in node:  # noqa: SIM114
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node


def pct(value: Decimal) -> str:
    """0.9999 -> '99.99%'."""
    return f"{(value * 100).normalize():f}%"


def missing_calendar(name: str, spec: v1.ContractSpec) -> str:
    known = ", ".join(["24x7", *spec.calendars])
    return f"calendar {name!r} is not defined under calendars (known: {known})"
