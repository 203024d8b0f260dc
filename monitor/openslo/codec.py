"""Annotation values and object names shared by export and import.

What OpenSLO cannot express (threshold seconds, abandon treatment, calendars, exclusions,
credits, fees) rides in `slamon.dev/<key>` annotations. Annotation values must be strings,
so each value is written as one line of YAML flow, spelt exactly as in the contract file
(`20s`, `{allocation: 60%, earnback: {months: 3}}`): a person reads it like the contract,
and the import parses it back with the contract reader, so numbers stay exact Decimals.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

import yaml

from monitor.spec.yamlpos import load_document

PREFIX = "slamon.dev/"
API_VERSION = "openslo/v1"
NAME_MAX = 63


class _FlowDumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "int" if re.fullmatch(r"-?\d+", text) else "float"
    return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", text)


_FlowDumper.add_representer(Decimal, _decimal)


class BlockDumper(yaml.SafeDumper):
    """Block YAML with exact Decimals and multi-line strings as literal blocks."""


def _block_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


BlockDumper.add_representer(Decimal, _decimal)
BlockDumper.add_representer(str, _block_str)


def dump_block(data: Any) -> str:
    return yaml.dump(data, Dumper=BlockDumper, sort_keys=False, width=1 << 16,
                     allow_unicode=True)


def encode(value: Any) -> str:
    """A contract value as one line of YAML flow."""
    text = yaml.dump(value, Dumper=_FlowDumper, default_flow_style=True, width=1 << 20,
                     allow_unicode=True, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def decode(text: str, where: str) -> Any:
    """The value an annotation holds, read like a contract file (Decimals, dates as text)."""
    doc = load_document(text, where)
    if doc.problems:
        raise ValueError("; ".join(p.message for p in doc.problems))
    return doc.data


def key(name: str) -> str:
    return PREFIX + name.replace("_", "-")


def field_of(annotation: str) -> str | None:
    """`slamon.dev/short-abandon` -> `short_abandon`; None for a foreign annotation."""
    if not annotation.startswith(PREFIX):
        return None
    return annotation.removeprefix(PREFIX).replace("-", "_")


def object_name(*parts: str, limit: int = NAME_MAX) -> str:
    """An RFC 1123 label from `parts`: lowercase, `-` for anything else, at most `limit`
    characters (a long name keeps its head and gains a short hash, so it stays unique)."""
    text = "-".join(parts).lower()
    text = re.sub(r"[^a-z0-9-]+", "-", text).strip("-")
    text = re.sub(r"-{2,}", "-", text) or "x"
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return text[: limit - 9].rstrip("-") + "-" + digest


# `<contract>.<section>` must fit the 63-character annotation name: the longest section
# name, "performance-issue", leaves 45 characters for the contract.
_CONTRACT_PART = NAME_MAX - len(".performance-issue")


def contract_key(contract_id: str, section: str) -> str:
    """The Service annotation carrying one top-level section of a contract."""
    return f"{PREFIX}{object_name(contract_id, limit=_CONTRACT_PART)}.{section.replace('_', '-')}"


def percent(ratio: Decimal) -> str:
    """Decimal('0.9999') -> '99.99%' (exact, no float)."""
    value = (ratio * 100).normalize()
    return f"{value:f}%"


def seconds(value: Decimal) -> str:
    return f"{value.normalize():f}s"
