"""Where slamon finds its database and contracts when nothing is said on the command line."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///slamon.db"
DEFAULT_CONTRACTS_DIR = Path("contracts")


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("SLAMON_DATABASE_URL") or DEFAULT_DATABASE_URL


def contracts_dir(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("SLAMON_CONTRACTS") or DEFAULT_CONTRACTS_DIR)
