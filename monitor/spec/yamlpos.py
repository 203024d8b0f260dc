"""Read a YAML file into plain data and remember the line of every key and item.

We compose the node tree (`yaml.compose`) instead of `yaml.safe_load` for three reasons:
every value keeps its line, so a problem can say `acme.yaml:14: slas[1].target`; a key
written twice in one mapping is reported (PyYAML would silently keep the last one); and
numbers never become binary floats: `0.9999` and `20000.00` are read as exact `Decimal`s
from their text, and dates/timestamps stay text so the spec parsers see what was written.

A contract file may come from anyone, so reading it is bounded (issue 17): a size limit,
a nesting limit checked while composing (PyYAML composes recursively), a budget on the
values built (aliases are shared nodes, so a 400-byte "billion laughs" file would expand to
billions of values), refusal of an alias that contains itself, of numbers longer than any
contract needs, and of every tag except YAML's plain scalar, list and mapping tags. Each
of these is a problem with its line, never an exception or an exhausted machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

import yaml

from monitor.errors import Problem

PathKey = tuple[str | int, ...]

_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_PLAIN_TAGS = frozenset({
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", _INT_TAG, _FLOAT_TAG, _STR_TAG,
    _TIMESTAMP_TAG, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
})

MAX_BYTES = 1_000_000  # the largest shipped contract is under 10 kB
MAX_DEPTH = 32  # the contract format nests 6 levels deep
MAX_VALUES = 20_000  # keys, items and scalars after alias expansion; contracts hold ~1,000
MAX_NUMBER_CHARS = 40  # the longest money amount or ratio anyone writes is far shorter


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


class _Refused(Exception):
    """Stops reading at the first limit crossed; becomes one problem with its line."""

    def __init__(self, line: int | None, path: PathKey, reason: str) -> None:
        super().__init__(reason)
        self.line, self.path, self.reason = line, path, reason


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than MAX_DEPTH before Python's
    recursion limit is reached (a 1,000-deep list ended in RecursionError)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(mark.line + 1, (), f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_document(text: str, file: str) -> Document:
    """Parse `text`; syntax errors, limits and duplicate keys become problems, never
    exceptions."""
    doc = Document(file=file, data=None)
    if len(text) > MAX_BYTES:
        doc.problems.append(Problem(
            file, None, "", f"the file is larger than {MAX_BYTES:,} characters; a contract "
            "is a few kilobytes"))
        return doc
    try:
        loader = _BoundedLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as refused:
        doc.problems.append(Problem(file, refused.line, "", refused.reason))
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = f"invalid YAML at column {mark.column + 1}: " if mark is not None else ""
        reason += str(exc.problem or "syntax error")
        if exc.context and exc.context_mark is not None:
            reason += f" ({exc.context} that started on line {exc.context_mark.line + 1})"
        doc.problems.append(Problem(file, line, "", reason))
        return doc
    except yaml.reader.ReaderError as exc:  # a control character such as NUL
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        doc.problems.append(Problem(file, line, "", f"character U+{code:04X} is not allowed "
                                    "in YAML"))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(file, None, "", f"invalid YAML: {exc}"))
        return doc
    if node is None:
        doc.problems.append(Problem(file, 1, "", "the file is empty"))
        return doc
    builder = _Builder(doc)
    try:
        doc.data = builder.build(node, ())
    except _Refused as refused:
        doc.data = None
        doc.problems.append(Problem(file, refused.line, format_path(refused.path),
                                    refused.reason))
    return doc


class _Builder:
    """Node tree -> plain data, within MAX_VALUES values and MAX_DEPTH levels."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.constructor = yaml.SafeLoader("")
        self.built = 0
        self.open: set[int] = set()  # ids of the collections being built: a cycle check

    def refuse(self, node: yaml.Node, path: PathKey, reason: str) -> NoReturn:
        raise _Refused(node.start_mark.line + 1, path, reason)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        doc = self.doc
        self.built += 1
        if self.built > MAX_VALUES:  # named at the top-level key: alias lines mislead
            raise _Refused(self.doc.line_of(path[:1]), path[:1],
                           f"the document expands to more than {MAX_VALUES:,} values (YAML "
                           "aliases repeat what they point to); write it out plainly")
        if len(path) > MAX_DEPTH:
            self.refuse(node, path, f"nested deeper than {MAX_DEPTH} levels")
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.refuse(node, path, f"tag {tag!r} is not allowed; write the value plainly")
        doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.open:
            self.refuse(node, path, "an alias refers to the list or mapping that contains it")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        doc = self.doc
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
            out[key] = self.build(value_node, child)
        return out

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        text = str(node.value)
        if node.tag in (_INT_TAG, _FLOAT_TAG) and len(text) > MAX_NUMBER_CHARS:
            self.refuse(node, path, f"a number of {len(text)} characters is longer than the "
                        f"{MAX_NUMBER_CHARS} allowed")
        if node.tag == _FLOAT_TAG:
            try:
                return Decimal(text.replace("_", ""))
            except InvalidOperation:
                return text  # .inf / .nan: left as text, refused by the value parsers
        if node.tag in (_TIMESTAMP_TAG, _STR_TAG):
            return text
        try:
            return self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            self.refuse(node, path, f"cannot read {text!r}: {exc}")
