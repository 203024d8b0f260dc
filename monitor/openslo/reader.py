"""OpenSLO files (several `---` documents each) -> documents that know their file and lines.

Each document is read with the contract reader (`yamlpos`), so problems can name
`file:line`, duplicate keys are caught, numbers stay exact Decimals and timestamps such as
`startTime: 2022-01-01 12:00:00` stay the text that was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.errors import Problem
from monitor.spec.loader import display_name
from monitor.spec.yamlpos import Document, PathKey, format_path, load_document

_SEPARATOR = re.compile(r"^---(\s|$)")


@dataclass(frozen=True)
class Located:
    """One OpenSLO document: its data and where each of its keys was written."""

    file: str
    document: Document
    offset: int  # lines before this document in its file

    @property
    def data(self) -> Any:
        return self.document.data

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def name(self) -> str:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        return str(meta.get("name", "")) if isinstance(meta, dict) else ""

    def line(self, path: PathKey = ()) -> int | None:
        line = self.document.line_of(path)
        return None if line is None else line + self.offset

    def problem(self, path: PathKey, message: str, severity: str = "error") -> Problem:
        where = format_path(path) if path else f"{self.kind} {self.name}".strip()
        return Problem(self.file, self.line(path), where, message, severity)


def split(text: str, file: str) -> tuple[list[Located], list[Problem]]:
    """The documents of one file's text, in order."""
    chunks: list[tuple[int, list[str]]] = [(0, [])]
    for number, line in enumerate(text.splitlines(keepends=True)):
        if _SEPARATOR.match(line):
            chunks.append((number + 1, []))
        else:
            chunks[-1][1].append(line)
    docs: list[Located] = []
    problems: list[Problem] = []
    for offset, lines in chunks:
        body = "".join(lines)
        if not body.strip() or all(x.lstrip().startswith("#") or not x.strip() for x in lines):
            continue
        document = load_document(body, file)
        problems += [Problem(p.file, None if p.line is None else p.line + offset, p.path,
                             p.message) for p in document.problems]
        if document.data is not None:
            docs.append(Located(file, document, offset))
    return docs, problems


def read_files(paths: Iterable[str | Path]) -> tuple[list[Located], list[Problem]]:
    docs: list[Located] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")) \
            if path.is_dir() else [path]
        for file in files:
            name = display_name(file)
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(Problem(name, None, "", f"cannot read: {exc}"))
                continue
            found, bad = split(text, name)
            docs += found
            problems += bad
    return docs, problems
