"""alerts/alertmanager.yml: valid for amtool, and routes pages, tickets and contract matters."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ROOT, require_binary

CONFIG = ROOT / "alerts" / "alertmanager.yml"
pytestmark = pytest.mark.binaries


def test_amtool_accepts_the_example_configuration() -> None:
    amtool = require_binary("amtool")
    out = subprocess.run([amtool, "check-config", str(CONFIG)], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout
    assert "1 inhibit rules" in out.stdout
    assert "3 receivers" in out.stdout


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        pytest.param(["severity=page", "team=oncall"], "oncall-pager,vendor-management",
                     id="a page reaches on-call and vendor management"),
        pytest.param(["severity=ticket", "team=vendor-management"], "vendor-management",
                     id="a breach or chronic failure reaches vendor management only"),
        pytest.param(["severity=ticket", "team=oncall"], "ticket-queue",
                     id="a poller or data problem becomes a ticket"),
    ],
)
def test_the_routing_tree_sends_each_kind_of_alert_to_its_receivers(
    labels: list[str], receivers: str
) -> None:
    amtool = require_binary("amtool")
    out = subprocess.run([amtool, "config", "routes", "test", f"--config.file={CONFIG}",
                          *labels, "vendor=genesys-cloud", "contract=acme-2026"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == receivers
