"""The web console's users and audit log, over a `Store`.

    users = ConsoleUsers(store)
    users.add(username, role, password_hash, at) -> ConsoleUser   (refuses a taken name)
    users.get(username) -> ConsoleUser | None; users.list() -> list[ConsoleUser]
    users.set_password(username, password_hash, at); users.set_disabled(username, flag, at)
    users.set_role(username, role, at)

    audit = AuditLog(store)
    audit.record(AuditEntry(...)) ; audit.entries(limit, before_id, who, action) -> list

Password hashing is the caller's (`monitor.console.passwords`); this module stores the
PHC string it is given. Every change to a user's password or enabled state draws a new
`stamp`, which is what signs that user's existing sessions out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from monitor.errors import InputError
from monitor.storage.console_models import AuditRow, ConsoleUserRow
from monitor.storage.repository import Store
from monitor.storage.state import _insert_ignore


@dataclass(frozen=True)
class ConsoleUser:
    username: str
    role: str
    password_hash: str | None
    disabled: bool
    stamp: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str
    action: str
    target: str = ""
    outcome: str = "ok"
    detail: str = ""
    address: str = ""
    id: int | None = None


def _user(row: ConsoleUserRow) -> ConsoleUser:
    return ConsoleUser(row.username, row.role, row.password_hash, row.disabled, row.stamp,
                       row.created_at, row.updated_at)


def _stamp() -> str:
    return secrets.token_hex(16)


class ConsoleUsers:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, username: str, role: str, password_hash: str | None,
            at: datetime) -> ConsoleUser:
        values = {"username": username, "role": role, "password_hash": password_hash,
                  "disabled": False, "stamp": _stamp(), "created_at": at, "updated_at": at}
        with self.store.session() as s:
            if not _insert_ignore(s, ConsoleUserRow, values):
                raise InputError(f"user {username!r} already exists; use `slamon users "
                                 "passwd` or `disable`", column="username")
        found = self.get(username)
        assert found is not None
        return found

    def get(self, username: str) -> ConsoleUser | None:
        with self.store.session() as s:
            row = s.get(ConsoleUserRow, username)
            return None if row is None else _user(row)

    def list(self) -> list[ConsoleUser]:
        with self.store.session() as s:
            rows = s.execute(select(ConsoleUserRow).order_by(ConsoleUserRow.username))
            return [_user(r) for r in rows.scalars()]

    def _change(self, username: str, at: datetime, **values: object) -> ConsoleUser:
        with self.store.session() as s:
            result = s.execute(update(ConsoleUserRow)
                               .where(ConsoleUserRow.username == username)
                               .values(updated_at=at, **values))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise InputError(f"no user {username!r}", column="username")
        found = self.get(username)
        assert found is not None
        return found

    def set_password(self, username: str, password_hash: str | None,
                     at: datetime) -> ConsoleUser:
        return self._change(username, at, password_hash=password_hash, stamp=_stamp())

    def set_disabled(self, username: str, disabled: bool, at: datetime) -> ConsoleUser:
        return self._change(username, at, disabled=disabled, stamp=_stamp())

    def set_role(self, username: str, role: str, at: datetime) -> ConsoleUser:
        return self._change(username, at, role=role, stamp=_stamp())


class AuditLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, entry: AuditEntry) -> None:
        with self.store.session() as s:
            s.add(AuditRow(at=entry.at, who=entry.who[:200], action=entry.action[:60],
                           target=entry.target[:700], outcome=entry.outcome[:20],
                           detail=entry.detail, address=entry.address[:100]))

    def entries(self, *, limit: int = 100, before_id: int | None = None,
                who: str | None = None, action: str | None = None) -> list[AuditEntry]:
        """Newest first; `before_id` pages back through older entries."""
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(AuditRow.id < before_id)
        if who:
            query = query.where(AuditRow.who == who)
        if action:
            query = query.where(AuditRow.action == action)
        with self.store.session() as s:
            return [AuditEntry(r.at, r.who, r.action, r.target, r.outcome, r.detail,
                               r.address, r.id) for r in s.execute(query).scalars()]
