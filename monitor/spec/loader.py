"""One contract file -> `Contract`, or every problem found in it.

Order matters and is part of the contract of this module: YAML syntax and duplicate keys;
then `apiVersion` and `kind` (a file of another kind is not judged as a contract); then the
`v1` models (shapes, unknown keys, scalar values); then the semantic `rules`; only a file
with no error is mapped to the domain. Warnings never stop a load.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from monitor.domain.contract import Contract
from monitor.errors import Problem
from monitor.spec import v1
from monitor.spec.mapping import to_contract
from monitor.spec.rules import check_contract
from monitor.spec.shape import amended_documents, upgrade
from monitor.spec.yamlpos import MAX_BYTES, Document, PathKey, format_path, load_document


@dataclass(frozen=True)
class Loaded:
    """The outcome for one file: the contract if it has no error, and all its problems."""

    file: str
    contract: Contract | None
    spec: v1.ContractSpec | None
    problems: tuple[Problem, ...]
    contract_id: str | None = None  # metadata.id as written, even when the file is invalid
    id_line: int | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def display_name(path: Path) -> str:
    """The file as problems name it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_file(path: Path, environ: Mapping[str, str] | None = None) -> Loaded:
    """Read and check one file; never raises for bad content (unreadable -> a problem)."""
    name = display_name(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Loaded(name, None, None, (Problem(name, None, "", f"cannot read: {exc.strerror}"),))
    if len(raw) > MAX_BYTES:  # refused before decoding: never hold a huge text twice
        return Loaded(name, None, None, (Problem(
            name, None, "", f"the file is larger than {MAX_BYTES:,} bytes; a contract is a few "
            "kilobytes"),))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Loaded(name, None, None, (Problem(
            name, line, "", f"not UTF-8 at column {column} (byte {raw[exc.start]:#04x}): "
            f"{exc.reason}; save the file as UTF-8"),))
    return load_text(text, name, sha256=hashlib.sha256(raw).hexdigest(), environ=environ)


def load_text(text: str, name: str, *, sha256: str | None = None,
              environ: Mapping[str, str] | None = None) -> Loaded:
    doc = load_document(text, name)
    if doc.problems and doc.data is None:
        return Loaded(name, None, None, tuple(doc.problems))
    ident = _raw_id(doc)
    id_line = doc.line_of(("metadata", "id"))
    problems = list(doc.problems)
    header = v1.header_problems(doc.data)
    if header:
        problems += [Problem(name, doc.line_of((p,) if p else ()), p, m) for p, m in header]
        return Loaded(name, None, None, tuple(problems), ident, id_line)
    problems += [Problem(name, doc.line_of(path), format_path(path), message,
                         severity="warning") for path, message in upgrade(doc)]
    try:
        spec = v1.ContractSpec.model_validate(doc.data)
    except ValidationError as exc:
        problems += translate(exc, doc) + _rules_despite(exc, doc, environ)
        problems.sort(key=lambda p: p.line or 0)
        return Loaded(name, None, None, tuple(problems), ident, id_line)
    problems += check_contract(spec, doc, environ)
    problems.sort(key=lambda p: p.line or 0)
    if any(p.severity == "error" for p in problems):
        return Loaded(name, None, spec, tuple(problems), ident, id_line)
    contract = to_contract(spec, source_file=name, source_hash=sha256)
    revisions, amendment_problems = _amendments(spec, doc, environ, name, sha256)
    problems += amendment_problems
    if any(p.severity == "error" for p in amendment_problems):
        return Loaded(name, None, spec, tuple(problems), ident, id_line)
    if revisions:
        contract = replace(contract, amendments=tuple(revisions))
    return Loaded(name, contract, spec, tuple(problems), ident, id_line)


def _amendments(spec: v1.ContractSpec, doc: Document, environ: Mapping[str, str] | None,
                name: str, sha256: str | None) -> tuple[list[tuple[date, Contract]],
                                                        list[Problem]]:
    """Each amendment as a complete contract, checked like the file itself; a problem of
    the amended contract is reported on the amendment's line."""
    out: list[tuple[date, Contract]] = []
    problems: list[Problem] = []
    previous = spec.metadata.effective.from_
    for i, merged in amended_documents(doc.data):
        amendment = spec.amendments[i]
        where = ("amendments", i)
        line = doc.line_of((*where, "id"))
        if amendment.effective <= previous:
            problems.append(Problem(name, doc.line_of((*where, "effective")),
                                    format_path((*where, "effective")),
                                    f"must be after {previous.isoformat()} (the contract's start "
                                    "or the amendment before it)"))
            continue
        previous = amendment.effective
        merged_doc = Document(name, merged)
        try:
            amended = v1.ContractSpec.model_validate(merged)
        except ValidationError as exc:
            found = translate(exc, merged_doc)
        else:
            found = [p for p in check_contract(amended, merged_doc, environ)
                     if p.severity == "error"]
        if found:
            problems += [Problem(name, line, format_path(where),
                                 f"the amended contract is invalid: {p.path}: {p.message}")
                         for p in found]
            continue
        revision = to_contract(amended, source_file=name, source_hash=sha256)
        out.append((amendment.effective, replace(revision, revision=amendment.id,
                                                 revision_note=amendment.description)))
    return out, problems


# Sections other keys refer to: with one of them cut, the reference rules would mislead.
_REFERENCED: tuple[PathKey, ...] = (("calendars",), ("sources",), ("fees",),
                                    ("at_risk",))


def _rules_despite(exc: ValidationError, doc: Document,
                   environ: Mapping[str, str] | None) -> list[Problem]:
    """Semantic problems of a file whose shape is wrong, so one run shows both kinds.

    The keys pydantic refused are cut from a copy of the data and the rest is checked
    again; when that still fails (a required key was bad) or a referenced section was cut,
    there is nothing reliable to add. Problems on or under a cut key are left out: the
    shape problem already speaks for them.
    """
    cut: list[PathKey] = []
    hidden: list[PathKey] = []
    for error in exc.errors():
        path = _clean_loc(error["loc"], doc.data)
        while path and isinstance(path[-1], int):
            path = path[:-1]
        if error["type"] == "missing" or not path:
            return []
        if any(path[: len(ref)] == ref for ref in _REFERENCED):
            return []
        cut.append(path)
        if error["type"] == "extra_forbidden":
            guess = _closest_key(error["loc"])
            if guess is not None:  # `treshold:` also explains a missing `threshold`
                hidden.append((*path[:-1], guess))
    if any(p[: len(ref)] == ref for p in hidden for ref in _REFERENCED):
        return []
    data = copy.deepcopy(doc.data)
    for path in cut:
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    try:
        spec = v1.ContractSpec.model_validate(data)
    except ValidationError:
        return []
    cut_paths = [format_path(p) for p in cut + hidden]
    return [p for p in check_contract(spec, doc, environ)
            if not any(_overlaps(p.path, c) for c in cut_paths)]


def _overlaps(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def _raw_id(doc: Document) -> str | None:
    meta = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    ident = meta.get("id") if isinstance(meta, dict) else None
    return ident if isinstance(ident, str) else None


def translate(exc: ValidationError, doc: Document) -> list[Problem]:
    """pydantic errors -> problems with `slas[1].target` paths and the line of that node."""
    out: list[Problem] = []
    seen: set[str] = set()
    for error in exc.errors():
        path = _clean_loc(error["loc"], doc.data)
        where = format_path(path)
        if where in seen:  # one message per field: union branches repeat themselves
            continue
        seen.add(where)
        out.append(Problem(doc.file, doc.line_of(path), where, _message(error)))
    return out


def _clean_loc(loc: tuple[Any, ...], data: Any) -> PathKey:
    """Keep the loc parts that exist in the data (drops union tags such as 'list[str]')."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if part == "[key]":
            continue
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif last and isinstance(part, str | int) and isinstance(node, dict):
            path.append(part)  # a missing key: named, its line is the parent's
    return tuple(path)


_PLAIN_MESSAGES = {
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "dict_type": "must be a mapping (key: value lines)",
    "model_type": "must be a mapping (key: value lines)",
    "list_type": "must be a list",
    "string_type": "must be text",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(error["loc"])
    if kind == "missing":
        return "is required"
    if kind in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[kind]
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be"):
        message = "must be" + message.removeprefix("Input should be")
    if message.startswith("String should match pattern"):
        message = f"{error['input']!r} is not valid here ({message.lower()})"
    return message


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """'unknown key' plus the closest allowed key of that mapping, when one is close."""
    guess = _closest_key(loc)
    if guess is not None:
        return f"unknown key (did you mean {guess!r}?)"
    names = _allowed_keys(loc)
    return "unknown key; allowed here: " + ", ".join(names) if names else "unknown key"


def _closest_key(loc: tuple[Any, ...]) -> str | None:
    close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(loc), n=1)
    return close[0] if close else None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the mapping at `loc[:-1]` accepts, found by walking the v1 models."""
    annotation: Any = v1.ContractSpec
    for part in loc[:-1]:
        if isinstance(part, int) or part == "[key]":
            continue
        model = _model_in(annotation)
        if _is_mapping(annotation) or model is None:
            annotation = _value_type(annotation)  # `part` is a user key such as a calendar id
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return []
        annotation = field.annotation
    model = _model_in(annotation)
    if model is None or _is_mapping(annotation):
        return []
    return sorted(f.alias or n for n, f in model.model_fields.items())


def _is_mapping(annotation: Any) -> bool:
    if get_origin(annotation) is dict:
        return True
    return any(_is_mapping(arg) for arg in get_args(annotation) if get_origin(arg) is not None)


def _value_type(annotation: Any) -> Any:
    if get_origin(annotation) is dict:
        return get_args(annotation)[1]
    for arg in get_args(annotation):
        if get_origin(arg) is dict:
            return get_args(arg)[1]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
