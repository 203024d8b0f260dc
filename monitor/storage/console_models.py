"""Tables of the web console (`monitor.console`): its users and its audit log.

Typed SQLAlchemy 2 models on the storage package's `Base`, registered from `models.py` so
Alembic and the schema test see them; `console_repository.py` turns them into values.
Created by migration `0007_console`.

A user signs in with a password (`password_hash`, an argon2id PHC string) or, in the
reverse-proxy mode, by name only (`password_hash` NULL: the proxy authenticated them).
`stamp` changes on every password change or disable, and sessions carry the stamp they
were issued with, so those changes sign the user out everywhere.

The audit log is append-only: one row per action, sign-in attempt or refusal.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.storage.models import Base


class ConsoleUserRow(Base):
    __tablename__ = "console_users"
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str | None] = mapped_column(String(500))
    disabled: Mapped[bool] = mapped_column(Boolean)
    stamp: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditRow(Base):
    __tablename__ = "console_audit"
    __table_args__ = (Index("ix_console_audit_at", "at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(700))
    outcome: Mapped[str] = mapped_column(String(20))  # ok | refused | failed
    detail: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(100))
