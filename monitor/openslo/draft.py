"""Imported SLAs -> one commented `slamon/v1` contract draft, checked by the contract loader.

An SLO slamon exported finds its contract's terms on its `Service` (`slamon.dev/<contract>.
<section>` annotations) and comes back as the contract it was. For foreign SLOs, what no
OpenSLO field carries gets a placeholder that passes `slamon validate` and a
`# HUMAN:` comment on its line: fees (credit bases), the vendor platform, currency, term,
zone, KPI, credits. The draft is loaded like any contract file before it is returned, so a
draft that would not validate is reported, never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor.errors import Problem
from monitor.openslo import codec
from monitor.openslo.import_ import Imported, Index, annotations_of, import_slo
from monitor.openslo.reader import Located
from monitor.spec.loader import load_text
from monitor.spec.yamlpos import PathKey, load_document

TOP_ORDER = ("metadata", "fees", "calendars", "exclusions", "sources", "at_risk", "slas",
             "chronic_failure", "claims", "performance_issue", "notifications")
HUMAN = "HUMAN:"


@dataclass(frozen=True)
class Draft:
    text: str | None  # None when nothing could be imported
    problems: tuple[Problem, ...]
    contract_id: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def import_documents(docs: Sequence[Located], *, contract_id: str | None = None,
                     today: date | None = None, name: str = "draft.yaml") -> Draft:
    """A draft from every SLO in `docs` (of `contract_id` when the SLOs name several)."""
    index = Index(list(docs))
    problems = list(index.problems)
    slos = index.all("SLO")
    if not slos:
        return Draft(None, (*problems, Problem(name, None, "", "no SLO among the documents")))
    owners = sorted({_contract_of(s) or "(foreign)" for s in slos})
    chosen = [s for s in slos if _contract_of(s) == contract_id] if contract_id else slos
    ids = sorted({_contract_of(s) or "(foreign)" for s in chosen})
    if len(ids) > 1:
        return Draft(None, (*problems, Problem(name, None, "", "the SLOs belong to several "
                                               "contracts (" + ", ".join(ids) + "); pick one "
                                               "with --contract")))
    if not chosen:
        return Draft(None, (*problems, Problem(name, None, "", f"no SLO of contract "
                                               f"{contract_id!r} (found: "
                                               + ", ".join(owners) + ")")))
    imported = [i for i in (import_slo(s, index, problems) for s in chosen) if i is not None]
    if not imported:
        return Draft(None, (*problems, Problem(name, None, "", "no SLO could be imported")))
    data, human = _contract(imported, index, problems, today or date.today())
    text = _annotate(codec.dump_block(data), human, name)
    header = (f"# Contract draft written by `slamon openslo import` from "
              f"{', '.join(sorted({i.slo.file for i in imported}))}.\n")
    if human:
        header += f"# Lines marked `{HUMAN}` hold placeholders: replace them from the signed " \
                  "contract.\n"
    text = header + text
    loaded = load_text(text, name)
    problems += loaded.problems
    ok = loaded.contract is not None
    return Draft(text if ok else None, tuple(problems), data["metadata"]["id"])


def _contract_of(slo: Located) -> str | None:
    return annotations_of(slo.data).get(codec.key("contract"))


def _contract(imported: list[Imported], index: Index, problems: list[Problem],
              today: date) -> tuple[dict[str, Any], dict[PathKey, str]]:
    first = imported[0]
    human: dict[PathKey, str] = {}
    sections: dict[str, Any] = {}
    service = index.get("Service", first.service)
    if first.contract_id is not None:
        sections = _own_sections(first, service, problems)
    meta = sections.pop("metadata", None)
    if meta is None:
        meta, foreign = _foreign_metadata(first, service, today)
        sections.setdefault("fees", {"monthly": "0.00"})
        human[("fees", "monthly")] = "the monthly fee (the base credits are a share of)"
        human |= {("metadata", k): v for k, v in foreign.items()}
    contract_id = first.contract_id or codec.object_name(first.service or first.slo.name)
    data: dict[str, Any] = {"apiVersion": "slamon/v1", "kind": "VendorContract",
                            "metadata": {"id": contract_id, **meta}}
    slas = [i.sla for i in imported]
    for section in TOP_ORDER[1:]:
        if section == "slas":
            data["slas"] = slas
        elif section in sections:
            data[section] = sections.pop(section)
    data |= sections  # sections a newer slamon added, in their exported order
    for n, imp in enumerate(imported):
        for key, note in imp.human.items():
            human[("slas", n, key)] = note
    return data, human


def _own_sections(first: Imported, service: Located | None,
                  problems: list[Problem]) -> dict[str, Any]:
    prefix = codec.contract_key(first.contract_id or "", "")
    if service is None:
        problems.append(first.slo.problem(("spec", "service"), f"no Service {first.service!r}"
                                          " in the files given: the contract's terms (fees, "
                                          "calendars, ...) are on it", "warning"))
        return {}
    sections: dict[str, Any] = {}
    for ann_key, value in annotations_of(service.data).items():
        if ann_key.startswith(prefix):
            section = ann_key.removeprefix(prefix).replace("-", "_")
            try:
                sections[section] = codec.decode(value, service.file)
            except ValueError as exc:
                problems.append(service.problem(("metadata", "annotations", ann_key), str(exc)))
    return sections


def _foreign_metadata(first: Imported, service: Located | None,
                      today: date) -> tuple[dict[str, Any], dict[str, str]]:
    display = None
    if service is not None:
        display = (service.data.get("metadata") or {}).get("displayName")
    start = first.start or today.isoformat()
    meta = {"name": str(display or f"{first.service or first.slo.name} (from OpenSLO)"),
            "vendor": {"id": codec.object_name(first.service or "vendor"),
                       "legal_name": str(display or first.service or "Vendor")},
            "currency": "USD", "timezone": first.timezone or "UTC",
            "effective": {"from": start}}
    human = {"vendor": "the vendor company (id, legal_name, contacts); add `sources:` with "
                       "the platform slamon polls (genesys-cloud, amazon-connect, ... or csv)",
             "currency": "the contract currency (ISO 4217)",
             "effective": "the contract term (from/to)"}
    if first.timezone is None:
        human["timezone"] = "the zone periods and calendars are cut in"
    return meta, human


def _annotate(text: str, human: dict[PathKey, str], name: str) -> str:
    """Append `# HUMAN: ...` to the line of each path (the loader ignores comments)."""
    doc = load_document(text, name)
    lines = text.splitlines()
    for path, note in sorted(human.items(), key=lambda kv: doc.line_of(kv[0]) or 0):
        line = doc.line_of(path)
        if line is not None:
            lines[line - 1] += f"  # {HUMAN} {note}"
    return "\n".join(lines) + "\n"


def problems_text(problems: Iterable[Problem]) -> str:
    return "\n".join(str(p) for p in problems)
