"""Console users and the audit log on both databases, `slamon users`, the secret and the
sign-in limiter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.console.auth import LoginLimiter, hash_password, verify_password
from monitor.console.settings import read_secret, settings_from_env
from monitor.errors import InputError
from monitor.storage import Store
from monitor.storage.console_repository import AuditEntry, AuditLog, ConsoleUsers

T0 = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)  # the US spring-forward morning, as it happens


def test_users_are_added_once_and_every_change_draws_a_new_stamp(store: Store) -> None:
    users = ConsoleUsers(store)
    added = users.add("pat", "procurement", hash_password("a" * 12), T0)
    assert (added.role, added.disabled, added.created_at) == ("procurement", False, T0)
    with pytest.raises(InputError, match="user 'pat' already exists"):
        users.add("pat", "admin", None, T0)
    stamps = {added.stamp}
    later = T0 + timedelta(hours=1)
    for changed in (users.set_password("pat", hash_password("b" * 12), later),
                    users.set_disabled("pat", True, later),
                    users.set_role("pat", "viewer", later)):
        assert changed.stamp not in stamps
        stamps.add(changed.stamp)
    final = users.get("pat")
    assert final is not None
    assert (final.role, final.disabled) == ("viewer", True)
    assert verify_password(final.password_hash, "b" * 12)
    assert not verify_password(final.password_hash, "a" * 12)
    with pytest.raises(InputError, match="no user 'nobody'"):
        users.set_disabled("nobody", True, later)


def test_the_audit_log_pages_newest_first_and_filters(store: Store) -> None:
    log = AuditLog(store)
    for i in range(5):
        log.record(AuditEntry(T0 + timedelta(minutes=i), "pat" if i % 2 else "ada",
                              "case.acknowledge" if i < 3 else "sign-in", f"t{i}"))
    newest = log.entries(limit=2)
    assert [e.target for e in newest] == ["t4", "t3"]
    assert newest[0].at == T0 + timedelta(minutes=4)
    assert [e.target for e in log.entries(limit=2, before_id=newest[-1].id)] == ["t2", "t1"]
    assert [e.target for e in log.entries(who="pat")] == ["t3", "t1"]
    assert [e.target for e in log.entries(action="sign-in")] == ["t4", "t3"]


def test_passwords_are_argon2id_and_short_ones_are_refused() -> None:
    hashed = hash_password("twelve-chars")
    assert hashed.startswith("$argon2id$")
    with pytest.raises(InputError, match="at least 12 characters"):
        hash_password("eleven-char")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_the_limiter_locks_a_name_after_five_failures_for_fifteen_minutes() -> None:
    limiter = LoginLimiter()
    for i in range(5):
        assert limiter.wait("Pat", "10.0.0.1", T0) is None
        limiter.failed("Pat", "10.0.0.1", T0 + timedelta(minutes=i))
    # the fifth failure came at T0+4 min; the first leaves the window at T0+15 min
    assert limiter.wait("pat", "10.0.0.2", T0 + timedelta(minutes=5)) == timedelta(minutes=10)
    assert limiter.wait("pat", "10.0.0.2", T0 + timedelta(minutes=15)) is None
    assert limiter.wait("otto", "10.0.0.1", T0 + timedelta(minutes=5)) is None
    limiter.succeeded("pat")
    assert limiter.wait("pat", "10.0.0.1", T0 + timedelta(minutes=5)) is None


def test_the_limiter_locks_an_address_trying_many_names() -> None:
    limiter = LoginLimiter()
    for i in range(20):
        limiter.failed(f"user{i}", "10.9.9.9", T0)
    assert limiter.wait("someone-new", "10.9.9.9", T0) == timedelta(minutes=15)
    assert limiter.wait("someone-new", "10.9.9.8", T0) is None


def test_the_secret_comes_from_the_environment_or_its_file(tmp_path: Path) -> None:
    secret = "k" * 40
    assert read_secret({"SLAMON_CONSOLE_SECRET": secret}) == secret
    (tmp_path / "secret").write_text(secret + "\n", encoding="utf-8")
    assert read_secret({"SLAMON_CONSOLE_SECRET_FILE": str(tmp_path / "secret")}) == secret
    with pytest.raises(InputError, match=r"at least 32 characters \(it is 5\)"):
        read_secret({"SLAMON_CONSOLE_SECRET": "short"})
    with pytest.raises(InputError, match=r"SLAMON_CONSOLE_SECRET_FILE=.*cannot read it"):
        read_secret({"SLAMON_CONSOLE_SECRET_FILE": str(tmp_path / "missing")})
    assert read_secret({}) is None
    assert len(settings_from_env(environ={}).secret) >= 32  # drawn at random
    with pytest.raises(InputError, match=r"'proxy\.corp': not an IP address"):
        settings_from_env(trusted_proxy="proxy.corp", environ={"SLAMON_CONSOLE_SECRET": secret})


def test_slamon_users_adds_lists_changes_and_disables(
        store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLAMON_CONSOLE_PASSWORD", raising=False)
    assert main(["db", "upgrade", "--db", store_url]) == 0
    pw = tmp_path / "pw"
    pw.write_text("first-password-1\n", encoding="utf-8")
    assert main(["users", "add", "pat", "--role", "procurement", "--password-file", str(pw),
                 "--db", store_url]) == 0
    assert main(["users", "add", "sso-sam", "--role", "viewer", "--sso", "--db", store_url]) == 0
    monkeypatch.setenv("SLAMON_CONSOLE_PASSWORD", "second-password")
    assert main(["users", "passwd", "pat", "--db", store_url]) == 0
    assert main(["users", "disable", "sso-sam", "--db", store_url]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--db", store_url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "pat\tprocurement\tpassword\tactive", "sso-sam\tviewer\tsso\tdisabled"]
    store = Store.open(store_url)
    try:
        user = ConsoleUsers(store).get("pat")
        assert user is not None
        assert verify_password(user.password_hash, "second-password")
        actions = [(e.action, e.target) for e in AuditLog(store).entries()]
        assert actions == [("user.disable", "sso-sam"), ("user.passwd", "pat"),
                           ("user.add", "sso-sam"), ("user.add", "pat")]
    finally:
        store.close()
    assert main(["users", "add", "x", "--role", "root", "--db", store_url]) == 2
    assert main(["users", "add", "pat", "--role", "viewer", "--sso", "--db", store_url]) == 1
    assert "user 'pat' already exists" in capsys.readouterr().err
    assert main(["users", "add", "<b>", "--role", "viewer", "--sso", "--db", store_url]) == 1
