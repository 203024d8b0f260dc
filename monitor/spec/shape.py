"""Reading the first release's contract shape, and building the amended revisions.

Old shape: `metadata.vendor: amazon-connect` named the *platform*, and `sources` was one
mapping. Now `metadata.vendor` is the company that owes the credits (`{id, legal_name,
contacts}`) and each entry of `sources` names its `platform`. An old file still loads: the
platform becomes `sources[0].platform`, the company id stays the old value (so metric labels
and stored rows do not change), and `slamon validate` says what to write instead, with the
line. A single `sources` mapping is the short form of a list of one.

Amendments are merged onto the raw document and each merged document goes through the same
validation as the file itself, so an amendment can never produce a contract that the file
format would refuse.
"""

from __future__ import annotations

import copy
from typing import Any

from monitor.spec.yamlpos import Document, PathKey

Warning_ = tuple[PathKey, str]
AMENDABLE = ("fees", "at_risk", "claims")


def upgrade(doc: Document) -> list[Warning_]:
    """Rewrite `doc.data` into the current shape in place; warnings for what was old."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    warnings: list[Warning_] = []
    meta = data.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("vendor"), str):
        platform = meta["vendor"]
        meta["vendor"] = {"id": platform, "legal_name": platform}
        line = doc.lines.get(("metadata", "vendor"))
        if line is not None:
            for key in ("id", "legal_name"):
                doc.lines[("metadata", "vendor", key)] = line
        sources = data.get("sources")
        if sources is None:
            data["sources"] = {"platform": platform}
        elif isinstance(sources, dict) and "platform" not in sources:
            sources["platform"] = platform
            if ("sources",) in doc.lines:
                doc.lines[("sources", "platform")] = doc.lines[("sources",)]
        warnings.append((("metadata", "vendor"), (
            f"metadata.vendor names the platform {platform!r}; it now names the company that "
            f"owes the credits: write `vendor: {{id: ..., legal_name: ..., contacts: [...]}}` "
            f"and `platform: {platform}` under sources (read for now as vendor id "
            f"{platform!r} on platform {platform!r}; see docs/contracts.md)")))
    sources = data.get("sources")
    if isinstance(sources, dict):
        data["sources"] = [sources]
        for path, line in list(doc.lines.items()):
            if path[:1] == ("sources",):
                doc.lines.setdefault(("sources", 0, *path[1:]), line)
    return warnings


def amended_documents(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(index of the amendment, the complete contract document it makes), in file order.
    Each amendment applies on top of the ones before it."""
    amendments = data.get("amendments")
    if not isinstance(amendments, list):
        return []
    current = {k: v for k, v in data.items() if k != "amendments"}
    out: list[tuple[int, dict[str, Any]]] = []
    for i, amendment in enumerate(amendments):
        if not isinstance(amendment, dict):
            continue
        current = copy.deepcopy(current)
        for key in AMENDABLE:
            change = amendment.get(key)
            if isinstance(change, dict):
                base = current.get(key)
                current[key] = {**base, **change} if isinstance(base, dict) else dict(change)
        slas = [s for s in current.get("slas", []) if isinstance(s, dict)]
        drop = set(amendment.get("remove_slas") or ())
        slas = [s for s in slas if s.get("id") not in drop]
        for change in amendment.get("slas") or ():
            if not isinstance(change, dict):
                continue
            same = next((j for j, s in enumerate(slas) if s.get("id") == change.get("id")), None)
            if same is None:
                slas.append(dict(change))
            else:
                slas[same] = {**slas[same], **change}
        current["slas"] = slas
        out.append((i, current))
    return out
