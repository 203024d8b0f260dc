"""Fixtures of the console tests: one demo database per session (the simulated October of
`slamon demo`), copied per test, with one user of each role.

Every user's password is PASSWORD; the clock is fixed at 20 November 2026, after the demo
month ended (so its period can be closed and reported) and before its claim deadline.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from monitor.console.app import create_app
from monitor.console.auth import hash_password
from monitor.console.settings import ConsoleSettings
from monitor.console.state import Console
from monitor.service.demo import run_demo
from monitor.spec import load_contracts
from monitor.storage import Store

PASSWORD = "correct-horse-battery"
SECRET = "s" * 48
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
USERS = {"ada": "admin", "pat": "procurement", "otto": "oncall", "vic": "viewer"}
CASE_ID = "demo-genesys/availability/2026-10"


@dataclass
class Demo:
    db: Path
    contracts: Path


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    work = tmp_path_factory.mktemp("console-demo")
    run_demo(f"sqlite:///{work / 'slamon.db'}", work)
    store = Store.open(f"sqlite:///{work / 'slamon.db'}")
    from monitor.storage.console_repository import ConsoleUsers

    users = ConsoleUsers(store)
    hashed = hash_password(PASSWORD)  # one argon2 hash for all: each costs ~50 ms
    for name, role in USERS.items():
        users.add(name, role, hashed, NOW)
    store.close()
    return Demo(work / "slamon.db", work / "slamon-demo" / "contracts")


@pytest.fixture
def console(demo_files: Demo, tmp_path: Path) -> Iterator[Console]:
    db = tmp_path / "slamon.db"
    shutil.copy(demo_files.db, db)
    contracts, problems = load_contracts([demo_files.contracts])
    assert contracts, problems
    store = Store.open(f"sqlite:///{db}")
    yield Console(store, {c.id: c for c in contracts}, ConsoleSettings(secret=SECRET),
                  clock=lambda: NOW)
    store.close()


@pytest.fixture
def app(console: Console) -> Starlette:
    return create_app(console)


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def signed_in(app: Starlette, username: str, **kwargs: object) -> TestClient:
    """A client signed in as `username` (password PASSWORD)."""
    client = TestClient(app, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"csrf": token, "username": username,
                                           "password": PASSWORD, "next": "/vendors"})
    assert response.status_code == 303, response.text
    return client


def token(client: TestClient, path: str = "/vendors") -> str:
    return csrf_of(client.get(path).text)
