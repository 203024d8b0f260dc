"""`slamon validate`: output streams, summary, exit codes, --json, default directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import CONTRACTS, FIXTURES, ROOT

INVALID = FIXTURES / "invalid_contracts"


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SLAMON_CONTRACTS", raising=False)


def _credential_names() -> list[str]:
    names = []
    for path in sorted(CONTRACTS.glob("*.yaml")):
        for line in path.read_text().splitlines():
            stripped = line.split("#")[0]
            for token in stripped.replace(",", " ").replace("}", " ").split():
                if token.isupper() and "_" in token and token.replace("_", "").isalnum():
                    names.append(token)
    return names


def test_shipped_contracts_pass_with_credentials_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in _credential_names():
        monkeypatch.setenv(name, "x")
    assert main(["validate", "contracts"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "4 files valid"


def test_without_paths_the_contracts_directory_from_the_environment_is_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(INVALID / "tier-gap.yaml", tmp_path / "tier-gap.yaml")
    monkeypatch.setenv("SLAMON_CONTRACTS", str(tmp_path))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path}/tier-gap.yaml:18: slas[0].credits.tiers: no tier covers")


def test_warnings_alone_exit_zero_and_are_counted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SLAMON_FIXTURE_UNSET_TOKEN", raising=False)
    assert main(["validate", str(INVALID / "unset-credentials-env.yaml")]) == 0
    assert capsys.readouterr().err.strip() == "1 file valid, 1 warning"


def test_every_file_is_checked_before_failing(capsys: pytest.CaptureFixture[str]) -> None:
    files = ["tests/fixtures/invalid_contracts/tier-gap.yaml",
             "tests/fixtures/invalid_contracts/missing-threshold.yaml",
             "tests/fixtures/invalid_contracts/wrong-kind.yaml"]
    assert main(["validate", *files]) == 1
    captured = capsys.readouterr()
    assert [line.split(":")[0] for line in captured.out.splitlines()] == [
        files[0], files[1], files[1], files[2]]
    assert captured.err.strip() == "4 errors and 0 warnings in 3 of 3 files"


def test_json_output_lists_files_and_problems(capsys: pytest.CaptureFixture[str]) -> None:
    rel = "tests/fixtures/invalid_contracts/percent-out-of-range.yaml"
    assert main(["validate", "--json", rel]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "valid": False,
        "files": [{"file": rel, "contract_id": "percent-range", "valid": False}],
        "problems": [{"file": rel, "line": 24, "path": "slas[1].target",
                      "message": "must be between 0% and 100%", "severity": "error"}],
        "errors": 1,
        "warnings": 0,
    }


def test_a_missing_path_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "contracts/nope.yaml"]) == 1
    assert capsys.readouterr().out.strip() == "contracts/nope.yaml: no such file or directory"


def test_an_empty_directory_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip() == (
        f"{tmp_path}: no contract files (*.yaml, *.yml) found")
