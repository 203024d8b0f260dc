"""Shared test plumbing.

Real parts only: a test that needs PostgreSQL or a Prometheus binary skips on a developer
machine without them, but under CI (`CI=true`) it fails, so nothing is skipped silently.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
DATA = ROOT / "tests" / "data"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
# The contract format users write; a copy travels with the tests for checkouts without
# ../shared, and a test keeps the two identical where both exist.
SHARED_EXAMPLE = SHARED / "spec" / "contract-example.yaml"
EXAMPLE_CONTRACT = SHARED_EXAMPLE if SHARED_EXAMPLE.exists() else (
    FIXTURES / "contract-example.yaml")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
pytest_plugins = ["tests.storage_fixtures"]


def missing(what: str) -> None:
    """Skip locally, fail under CI."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI but is missing")
    pytest.skip(f"{what} is not available")


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"the `{name}` binary")
        raise AssertionError  # unreachable: missing() raises
    return path
