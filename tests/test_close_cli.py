"""`slamon close`: a person makes a stored period final; bad requests change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import DATA

CONTRACT = str(DATA / "we10-we11-contract.yaml")


def stored_january(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    csv = tmp_path / "jan.csv"
    csv.write_text("queue,interval_start,interval_minutes,offered,answered,abandoned,"
                   "answered_within_20s,abandoned_within_20s\n"
                   "q-main,2026-01-15T10:00:00-05:00,30,100,100,0,79,0\n")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["import", "intervals", str(csv), "--contract", CONTRACT, "--db", url]) == 0
    assert main(["evaluate", "--contract", CONTRACT, "--period", "2026-01", "--db", url,
                 "--save", "--as-of", "2026-02-02T00:00:00+00:00"]) == 0
    return url


def test_closing_a_stored_period_makes_it_final_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = stored_january(tmp_path)
    capsys.readouterr()
    args = ["close", "--contract", CONTRACT, "--period", "2026-01", "--by", "j.doe",
            "--db", url]
    assert main(args) == 0
    assert "we10-we11 2026-01 is final (closed by j.doe)" in capsys.readouterr().out
    assert main(args) == 0
    assert "already final" in capsys.readouterr().out
    assert main(["evaluate", "--contract", CONTRACT, "--period", "2026-01", "--db", url,
                 "--json"]) == 0
    assert '"status": "final"' in capsys.readouterr().out


@pytest.mark.parametrize(("period", "message"), [
    pytest.param("2026-02", "has no stored evaluation", id="a period never evaluated"),
    pytest.param("2099-01", "outside contract", id="a period outside the contract's term"),
])
def test_closing_what_cannot_be_closed_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], period: str, message: str) -> None:
    url = stored_january(tmp_path)
    assert main(["close", "--contract", CONTRACT, "--period", period, "--by", "j.doe",
                 "--db", url]) == 1
    assert message in capsys.readouterr().err
