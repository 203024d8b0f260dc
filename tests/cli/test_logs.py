"""Logs are `event=... key=value` lines from every command, or JSON objects with the global
`--log-format json`, as docs/operations.md says (only `slamon run` did it, with its own
`--log-json`; the other commands logged free sentences)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LEVELS = {"debug", "info", "warning", "error", "exception", "critical"}


def log_formats() -> list[tuple[str, int, str]]:
    """(file, line, format string) of every logging call on a `log`/`logger` in monitor/."""
    found = []
    for path in sorted((ROOT / "monitor").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("log", "logger")):
                continue
            args = node.args[1:] if node.func.attr == "log" else node.args
            if node.func.attr in LEVELS | {"log"} and args:
                first = args[0]
                text = first.value if isinstance(first, ast.Constant) else "<not a literal>"
                found.append((str(path.relative_to(ROOT)), node.lineno, str(text)))
    return found


def test_every_log_line_of_slamon_is_an_event_with_key_values() -> None:
    calls = log_formats()
    assert len(calls) > 30
    assert [c for c in calls if not c[2].startswith("event=")] == []


def run_slamon(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                               "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize(("flags", "parse"), [
    pytest.param((), lambda line: dict(p.split("=", 1) for p in line.split()[2:]),
                 id="key=value by default"),
    pytest.param(("--log-format", "json"), json.loads, id="JSON objects with --log-format json"),
])
def test_a_command_other_than_run_logs_in_the_chosen_format(
        tmp_path: Path, flags: tuple[str, ...], parse: object) -> None:
    out = tmp_path / "acme.csv"
    done = run_slamon(*flags, "report", "--contract", "contracts/acme-connect-2026.yaml",
                      "--period", "2026-10", "--intervals", "examples/acme-2026-10-intervals.csv",
                      "--outages", "examples/acme-2026-10-outages.csv", "--format", "csv",
                      "--out", str(out), "--as-of", "2026-11-02T09:00:00+00:00")
    assert done.returncode == 0, done.stderr
    (line,) = [ln for ln in done.stderr.splitlines() if "report_written" in ln]
    fields = parse(line)  # type: ignore[operator]
    assert {k: fields[k] for k in ("event", "format", "contract", "period", "path")} == {
        "event": "report_written", "format": "csv", "contract": "acme-connect-2026",
        "period": "2026-10", "path": str(out)}
    assert int(fields["bytes"]) == out.stat().st_size
