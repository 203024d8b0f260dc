"""The console of `slamon demo --serve`: the demo database, the demo contract, and a demo
admin whose password is drawn afresh on every run and printed once (so a demo left
running on a shared machine is not open to whoever knows a fixed password)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.console.app import create_app
from monitor.console.auth import hash_password
from monitor.console.server import RunningConsole, start
from monitor.console.settings import ConsoleSettings, read_secret
from monitor.console.state import Console
from monitor.domain.contract import Contract
from monitor.storage import Store
from monitor.storage.console_repository import AuditEntry, AuditLog, ConsoleUsers

DEMO_USER = "demo"


@dataclass
class DemoConsole:
    running: RunningConsole
    username: str
    password: str
    store: Store

    def stop(self) -> None:
        self.running.stop()
        self.store.close()


def start_demo_console(db_url: str, contracts: list[Contract], port: int = 0,
                       host: str = "127.0.0.1") -> DemoConsole:
    store = Store.open(db_url)
    users = ConsoleUsers(store)
    password = secrets.token_urlsafe(12)
    now = datetime.now(UTC)
    if users.get(DEMO_USER) is None:
        users.add(DEMO_USER, "admin", hash_password(password), now)
    else:
        users.set_password(DEMO_USER, hash_password(password), now)
        users.set_disabled(DEMO_USER, False, now)
    AuditLog(store).record(AuditEntry(now, "slamon demo", "user.passwd", DEMO_USER,
                                      detail="demo login drawn for --serve", address="local"))
    # a demo needs no secret configured: one drawn here lives as long as the demo
    settings = ConsoleSettings(secret=read_secret() or secrets.token_urlsafe(48))
    console = Console(store, {c.id: c for c in contracts}, settings)
    running = start(create_app(console), host, port)
    return DemoConsole(running, DEMO_USER, password, store)
