"""`slamon demo --serve`'s console: served on 127.0.0.1, with a demo admin whose printed
password works, and is drawn afresh on every run."""

from __future__ import annotations

import shutil
from pathlib import Path

import requests

from monitor.console.demo import start_demo_console
from monitor.spec import load_contracts
from tests.console.conftest import Demo, csrf_of


def sign_in(url: str, username: str, password: str) -> tuple[requests.Session, int]:
    http = requests.Session()
    form = csrf_of(http.get(f"{url}/login", timeout=10).text)
    response = http.post(f"{url}/login", data={"csrf": form, "username": username,
                                               "password": password, "next": "/vendors"},
                         allow_redirects=False, timeout=10)
    return http, response.status_code


def test_the_demo_console_serves_the_demo_with_a_fresh_login(demo_files: Demo,
                                                            tmp_path: Path) -> None:
    shutil.copy(demo_files.db, tmp_path / "slamon.db")
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    contracts, _ = load_contracts([demo_files.contracts])
    first = start_demo_console(url, contracts)
    try:
        assert first.running.url.startswith("http://127.0.0.1:")
        http, status = sign_in(first.running.url, "demo", first.password)
        assert status == 303
        page = http.get(f"{first.running.url}/vendors", timeout=10)
        assert "Demo Corp - Genesys Cloud (simulated)" in page.text
        assert "$1,000.00" in page.text
    finally:
        first.stop()
    second = start_demo_console(url, contracts)
    try:
        assert second.password != first.password
        assert sign_in(second.running.url, "demo", first.password)[1] == 401
        assert sign_in(second.running.url, "demo", second.password)[1] == 303
    finally:
        second.stop()
