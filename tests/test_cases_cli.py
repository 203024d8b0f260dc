"""`slamon cases ...` against a real database."""

from __future__ import annotations

import json

import pytest

from monitor.cli import main
from monitor.storage import Store
from monitor.storage.cases_repository import StoreCaseRepository
from tests.test_cases_workflow import opened


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def url(store: Store) -> str:
    StoreCaseRepository(store).save([opened()])
    return _url(store)


CASE = "acme/service-level-voice/2026-11"


def test_list_prints_one_line_per_case(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "list", "--db", url]) == 0
    assert capsys.readouterr().out == (
        f"{CASE}\topen\tbreach_certain\t2026-11-25T15:00:00+00:00\n")


def test_list_filters_by_state(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "list", "--db", url, "--state", "resolved", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_ack_then_rca_record_the_timeline_shown_as_json(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "ack", CASE, "--db", url, "--by", "tam@vendor.example",
                 "--at", "2026-11-30T09:00:00-05:00", "--note", "on it"]) == 0
    assert main(["cases", "rca", CASE, "--db", url, "--by", "tam@vendor.example",
                 "--at", "2026-12-01T09:00:00-05:00", "--note", "RCA-17"]) == 0
    capsys.readouterr()
    assert main(["cases", "show", CASE, "--db", url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "rca_received"
    assert data["version"] == 3
    assert [(r["action"], r["at"], r["who"], r["note"]) for r in data["timeline"][1:]] == [
        ("acknowledge", "2026-11-30T14:00:00+00:00", "tam@vendor.example", "on it"),
        ("rca", "2026-12-01T14:00:00+00:00", "tam@vendor.example", "RCA-17"),
    ]


def test_an_illegal_transition_exits_1_and_changes_nothing(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "resolve", CASE, "--db", url, "--by", "vm",
                 "--at", "2026-12-01T09:00:00-05:00"]) == 0
    assert main(["cases", "escalate", CASE, "--db", url, "--by", "vm",
                 "--at", "2026-12-02T09:00:00-05:00"]) == 1
    assert "is resolved: cannot escalate" in capsys.readouterr().err
    assert main(["cases", "show", CASE, "--db", url, "--json"]) == 0
    assert [r["action"] for r in json.loads(capsys.readouterr().out)["timeline"]] == [
        "open", "resolve"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cases", "show", "acme/nope/2026-11"], "no case 'acme/nope/2026-11'"),
        (["cases", "ack", CASE, "--by", "tam", "--at", "2026-11-30 09:00"],
         "has no UTC offset"),
        (["cases", "ack", CASE, "--by", "tam", "--at", "yesterday"],
         "'yesterday' is not an ISO 8601 instant"),
    ],
    ids=["an unknown case is named", "a time without offset is refused",
         "a time that is not ISO 8601 is refused"],
)
def test_bad_arguments_exit_1_with_the_reason(url: str, argv: list[str], message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--db", url]) == 1
    assert message in capsys.readouterr().err


def test_show_prints_evidence_and_timeline(url: str, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    assert main(["cases", "show", CASE, "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{CASE}  [open]  breach_certain, opened 2026-11-25T15:00:00+00:00"
    assert out[1] == "  evidence: 72.50% against target at least 80.00% (breached)"


def test_show_with_the_contracts_directory_adds_the_deadlines(
        store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from tests.conftest import CONTRACTS

    case = replace(opened(), contract_id="acme-connect-2026")
    StoreCaseRepository(store).save([case])
    assert main(["cases", "show", case.id, "--db", _url(store), "--json",
                 "--contracts-dir", str(CONTRACTS)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["deadlines"] == {"acknowledge_by": "2026-11-26T10:00:00-05:00",
                                 "rca_by": "2026-11-30T10:00:00-05:00",
                                 "escalate_at": "2026-12-05T10:00:00-05:00"}
    assert data["opened_at"] == "2026-11-25T10:00:00-05:00"
