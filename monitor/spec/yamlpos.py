"""Read a YAML file into plain data and remember the line of every key and item.

We compose the node tree (`yaml.compose`) instead of `yaml.safe_load` for three reasons:
every value keeps its line, so a problem can say `acme.yaml:14: slas[1].target`; a key
written twice in one mapping is reported (PyYAML would silently keep the last one); and
numbers never become binary floats: `0.9999` and `20000.00` are read as exact `Decimal`s
from their text, and dates/timestamps stay text so the spec parsers see what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from monitor.errors import Problem

PathKey = tuple[str | int, ...]

_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class Document:
    """The data of one YAML file plus `lines[path]` = 1-based line of that key or item."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: PathKey) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def format_path(path: PathKey) -> str:
    """('slas', 1, 'target') -> 'slas[1].target'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_document(text: str, file: str) -> Document:
    """Parse `text`; syntax errors and duplicate keys become problems, never exceptions."""
    doc = Document(file=file, data=None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = f"invalid YAML at column {mark.column + 1}: " if mark is not None else ""
        reason += str(exc.problem or "syntax error")
        if exc.context and exc.context_mark is not None:
            reason += f" ({exc.context} that started on line {exc.context_mark.line + 1})"
        doc.problems.append(Problem(file, line, "", reason))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(file, None, "", f"invalid YAML: {exc}"))
        return doc
    if node is None:
        doc.problems.append(Problem(file, 1, "", "the file is empty"))
        return doc
    constructor = yaml.SafeLoader("")
    doc.data = _build(node, (), doc, constructor)
    return doc


def _build(node: yaml.Node, path: PathKey, doc: Document, constructor: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            # Keys are read as written: `on:` stays "on" (YAML 1.1 would make it True).
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "":
                doc.problems.append(Problem(doc.file, key_node.start_mark.line + 1,
                                            format_path(path), "keys must be plain text"))
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                doc.problems.append(Problem(
                    doc.file, key_node.start_mark.line + 1, format_path(child),
                    f"duplicate key {key!r} (first written on line {doc.lines[child]})",
                ))
                continue
            doc.lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, doc, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc, constructor) for i, item in enumerate(node.value)]
    return _scalar(node, constructor)


def _scalar(node: yaml.Node, constructor: yaml.SafeLoader) -> Any:
    if node.tag == _FLOAT_TAG:
        text = str(node.value).replace("_", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            return text  # .inf / .nan: left as text, refused by the value parsers
    if node.tag in (_TIMESTAMP_TAG, _STR_TAG):
        return str(node.value)
    return constructor.construct_object(node)
