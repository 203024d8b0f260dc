"""Start-up: a command imports only what it uses (the figures are in bench/startup.py).

Every command used to import every other command's libraries (pandas, SQLAlchemy, boto3,
WeasyPrint...) before parsing its arguments: about 2 s of CPU for `slamon --help`.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from monitor import cli
from tests.conftest import ROOT

HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "weasyprint", "boto3", "openpyxl")


def imported_after(code: str) -> list[str]:
    """The heavy libraries in sys.modules after running `code` in a fresh interpreter."""
    probe = (f"{code}\nimport sys, json\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={"PATH": "/usr/bin:/bin",
                                                      "PYTHONPATH": str(ROOT)})
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", [
    pytest.param("import monitor.cli", id="importing the CLI loads no heavy library"),
    pytest.param("from monitor.cli import main\ntry:\n    main(['--help'])\n"
                 "except SystemExit:\n    pass", id="slamon --help loads no heavy library"),
    pytest.param("from monitor.cli import main\nmain(['validate', 'contracts'])",
                 id="validating the shipped contracts loads no heavy library"),
])
def test_start_up_imports_no_heavy_library(code: str) -> None:
    assert imported_after(code) == []


def test_running_a_command_imports_its_own_module_only() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom monitor.cli import main\n"
         "main(['validate', 'contracts'])\n"
         "print(sorted(m for m in sys.modules if m.startswith('monitor.commands.')))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip().splitlines()[-1] == "['monitor.commands.validate']"


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_the_listed_summary_is_the_command_modules_help(name: str) -> None:
    module = importlib.import_module(f"monitor.commands.{cli.COMMANDS[name]}")
    assert cli.SUMMARIES.get(name) == module.HELP, "add the command's HELP to cli.SUMMARIES"


def test_a_command_still_shows_its_own_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["evaluate", "--help"]) == 0
    assert "--fail-on-breach" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["evalute"]) == 2
    assert "invalid choice: 'evalute'" in capsys.readouterr().err


def test_the_holiday_countries_are_those_holidays_supports_without_importing_them() -> None:
    import holidays

    from monitor.spec.rules import holiday_countries

    assert holiday_countries() == set(holidays.list_supported_countries())
