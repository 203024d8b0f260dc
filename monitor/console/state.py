"""What the running console holds: the store, the contracts, settings and the limiter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.console.auth import LoginLimiter
from monitor.console.settings import ConsoleSettings
from monitor.domain.contract import Contract
from monitor.storage import Store
from monitor.storage.console_repository import AuditLog, ConsoleUsers


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Console:
    store: Store
    contracts: Mapping[str, Contract]
    settings: ConsoleSettings
    clock: Callable[[], datetime] = _now
    limiter: LoginLimiter = field(default_factory=LoginLimiter)

    def __post_init__(self) -> None:
        self.users = ConsoleUsers(self.store)
        self.audit_log = AuditLog(self.store)

    def now(self) -> datetime:
        return self.clock()

    def contract(self, contract_id: str) -> Contract | None:
        return self.contracts.get(contract_id)
