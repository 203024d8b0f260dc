"""Export then import gives back every shipped contract, and every exported document keeps
the OpenSLO v1 rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from monitor.domain.contract import Contract
from monitor.openslo.codec import dump_block
from monitor.openslo.draft import import_documents
from monitor.openslo.export import export_contract
from monitor.openslo.reader import split
from monitor.openslo.rules import check_document
from monitor.spec import load_contract
from monitor.spec.loader import load_text
from monitor.spec.yamlpos import load_document
from tests.conftest import CONTRACTS

SHIPPED = sorted(CONTRACTS.glob("*.yaml"))


def exported(path: Path) -> tuple[Contract, list[dict[str, object]]]:
    contract = load_contract(path)
    raw = load_document(path.read_text(), str(path)).data
    return contract, export_contract(contract, raw)


def comparable(contract: Contract) -> Contract:
    return replace(contract, source_file=None, source_hash=None)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_export_then_import_gives_back_the_same_contract(path: Path) -> None:
    contract, docs = exported(path)
    text = "---\n".join(dump_block(d) for d in docs)
    located, problems = split(text, "exported.yaml")
    assert problems == []
    draft = import_documents(located, name="draft.yaml")
    assert draft.errors == [], draft.problems
    assert draft.text is not None
    assert "HUMAN:" not in draft.text  # an exported contract needs nobody to fill anything in
    back = load_text(draft.text, "draft.yaml").contract
    assert back is not None
    assert comparable(back) == comparable(contract)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_exported_documents_keep_the_openslo_v1_rules(path: Path) -> None:
    _, docs = exported(path)
    assert [(d["metadata"]["name"], check_document(d)) for d in docs
            if check_document(d)] == []
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names))
    slos = [d for d in docs if d["kind"] == "SLO"]
    assert slos
    assert all(len(d["spec"]["timeWindow"]) == 1 for d in slos)


def test_the_slos_of_a_contract_split_across_files_are_resolved_across_them(
        tmp_path: Path) -> None:
    path = CONTRACTS / "acme-connect-2026.yaml"
    contract, docs = exported(path)
    by_kind: dict[str, list[str]] = {}
    for d in docs:
        by_kind.setdefault(str(d["kind"]), []).append(dump_block(d))
    located = []
    for kind, texts in sorted(by_kind.items()):
        found, problems = split("---\n".join(texts), f"{kind}.yaml")
        assert problems == []
        located += found
    draft = import_documents(located)
    assert draft.text is not None, draft.problems
    back = load_text(draft.text, "draft.yaml").contract
    assert back is not None
    assert comparable(back) == comparable(contract)


def test_two_contracts_at_once_need_a_choice() -> None:
    texts = ["---\n".join(dump_block(d) for d in exported(p)[1]) for p in SHIPPED[:2]]
    located = [d for i, t in enumerate(texts) for d in split(t, f"f{i}.yaml")[0]]
    draft = import_documents(located)
    assert draft.text is None
    assert "several contracts (acme-connect-2026, globex-genesys-2026)" in str(draft.errors[0])
    chosen = import_documents(located, contract_id="globex-genesys-2026")
    assert chosen.text is not None
    assert chosen.contract_id == "globex-genesys-2026"
