"""`slamon openslo export|import` from the command line, through `main(argv)`."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import CONTRACTS, FIXTURES


def test_export_writes_one_file_per_contract_and_import_gives_a_valid_draft(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "openslo"
    assert main(["openslo", "export", "--contracts-dir", str(CONTRACTS), "--out",
                 str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in
                                                           CONTRACTS.glob("*.yaml"))
    draft = tmp_path / "umbrella.yaml"
    assert main(["openslo", "import", str(out / "umbrella-bpo-2026.yaml"), "--out",
                 str(draft)]) == 0
    assert main(["validate", str(draft)]) == 0
    assert "1 file valid" in capsys.readouterr().err


def test_export_of_one_contract_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "export", "--contract", str(CONTRACTS / "globex-genesys-2026.yaml"),
                 "--prometheus-url", "http://prometheus:9090"]) == 0
    out = capsys.readouterr().out
    assert out.count("kind: SLO\n") == 5
    assert "    url: http://prometheus:9090\n" in out


def test_a_published_example_imports_to_a_draft_that_validates(tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    assert main(["openslo", "import", str(FIXTURES / "openslo" / "timeslices-slo.yaml"),
                 "--out", str(draft)]) == 0
    assert main(["validate", str(draft)]) == 0


def test_broken_yaml_writes_nothing_and_names_the_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x\n")
    draft = tmp_path / "draft.yaml"
    assert main(["openslo", "import", str(bad), "--out", str(draft)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: invalid YAML at column 1: expected ',' or '}}', but got '<stream end>' " \
        "(while parsing a flow mapping that started on line 3)" in err
    assert not draft.exists()


def test_a_missing_file_is_a_usage_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "import", str(tmp_path / "nope.yaml"), "--out",
                 str(tmp_path / "d.yaml")]) == 1
    assert "FILE: no such file" in capsys.readouterr().err


def test_an_unwritable_out_is_reported_and_nothing_is_left(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing-dir" / "draft.yaml"
    assert main(["openslo", "import", str(FIXTURES / "openslo" / "ratio-timeslices.yaml"),
                 "--out", str(out)]) == 1
    assert f"--out: cannot write {str(out)!r}: No such file or directory" in \
        capsys.readouterr().err
    assert not out.exists()
