"""The console's defences, through Starlette's TestClient on a copy of the demo database:
CSRF, sessions signed with another secret, roles enforced on the server, hostile input
stored and rendered inert, the reverse-proxy header trusted from the proxy only, the
sign-in rate limit."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from itsdangerous import TimestampSigner
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from monitor.cases.model import CaseState
from monitor.console.app import SESSION_COOKIE, create_app
from monitor.console.state import Console
from monitor.storage.cases_repository import StoreCaseRepository
from tests.console.conftest import CASE_ID, PASSWORD, csrf_of, signed_in, token

HOSTILE = "'); DROP TABLE cases; -- <script>alert(1)</script><img src=x onerror=alert(2)>"


def case_state(console: Console) -> CaseState:
    case = StoreCaseRepository(console.store).get(CASE_ID)
    assert case is not None
    return case.state


@pytest.mark.parametrize("sent", [None, "", "not-the-token"],
                         ids=["no token", "empty token", "wrong token"])
def test_a_case_action_without_the_right_csrf_token_is_refused_and_changes_nothing(
        app: Starlette, console: Console, sent: str | None) -> None:
    client = signed_in(app, "otto")
    before = StoreCaseRepository(console.store).get(CASE_ID)
    data = {"case_id": CASE_ID, "action": "acknowledge", "note": "ok"}
    if sent is not None:
        data["csrf"] = sent
    response = client.post("/cases/act", data=data)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert StoreCaseRepository(console.store).get(CASE_ID) == before
    refused = console.audit_log.entries(action="refused")
    assert refused[0].who == "otto"
    assert refused[0].target == "/cases/act"


def test_the_token_of_another_session_is_wrong_too(app: Starlette, console: Console) -> None:
    mallory = signed_in(app, "ada")
    otto = signed_in(app, "otto")
    response = otto.post("/cases/act", data={"csrf": token(mallory), "case_id": CASE_ID,
                                             "action": "acknowledge"})
    assert response.status_code == 403
    assert case_state(console) is CaseState.ESCALATED


def test_every_post_route_refuses_a_request_without_a_token(app: Starlette) -> None:
    client = signed_in(app, "ada")  # admin: every permission, so only CSRF can refuse
    posts = [r.path for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]
    assert {"/login", "/logout", "/cases/act", "/users/add"} <= set(posts)
    for path in posts:
        concrete = path.replace("{contract_id}", "demo-genesys")
        assert client.post(concrete, data={"x": "1"}).status_code == 403, path
    assert client.get("/vendors").status_code == 200  # still signed in: logout was refused


def test_a_session_cookie_signed_with_another_secret_is_signed_out(app: Starlette) -> None:
    client = signed_in(app, "pat")
    assert client.get("/vendors").status_code == 200
    value = client.cookies[SESSION_COOKIE]
    payload = value.rsplit(".", 2)[0]  # the same session content, re-signed by a stranger
    forged = TimestampSigner("another-secret-" + "x" * 40).sign(payload.encode()).decode()
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, forged)
    response = client.get("/vendors")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/vendors"


def test_the_session_cookie_is_httponly_and_samesite(app: Starlette) -> None:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    response = client.post("/login", data={"csrf": csrf_of(page.text), "username": "pat",
                                           "password": PASSWORD, "next": "/vendors"})
    cookie = [v for k, v in response.headers.multi_items() if k == "set-cookie"][-1]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert response.headers["location"] == "/vendors"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_password_change_signs_the_old_sessions_out(app: Starlette,
                                                      console: Console) -> None:
    client = signed_in(app, "pat")
    console.users.set_password("pat", console.users.get("pat").password_hash,  # type: ignore[union-attr]
                               console.now())
    assert client.get("/vendors").status_code == 303


@pytest.mark.parametrize(("user", "path", "data"), [
    ("vic", "/cases/act", {"case_id": CASE_ID, "action": "acknowledge"}),
    ("vic", "/contracts/demo-genesys/close", {"period": "2026-10"}),
    ("vic", "/users/add", {"username": "eve", "role": "admin", "password": "x" * 12}),
    ("pat", "/cases/act", {"case_id": CASE_ID, "action": "resolve"}),
    ("otto", "/contracts/demo-genesys/close", {"period": "2026-10"}),
    ("otto", "/users/update", {"username": "otto", "change": "role", "role": "admin"}),
], ids=["viewer acknowledges a case", "viewer closes a period", "viewer adds an admin",
        "procurement resolves a case", "oncall closes a period", "oncall makes itself admin"])
def test_a_post_outside_the_role_is_refused_with_a_valid_token(
        app: Starlette, console: Console, user: str, path: str, data: dict[str, str]) -> None:
    client = signed_in(app, user)
    response = client.post(path, data={"csrf": token(client), **data})
    assert response.status_code == 403
    assert case_state(console) is CaseState.ESCALATED
    assert console.store.period_status("demo-genesys", "2026-10") == "provisional"
    assert console.users.get("eve") is None
    assert console.users.get("otto").role == "oncall"  # type: ignore[union-attr]


def test_a_viewer_sees_states_but_no_money_anywhere(app: Starlette) -> None:
    client = signed_in(app, "vic")
    pages = ["/vendors", "/contracts/demo-genesys", "/contracts/demo-genesys/slas/availability",
             f"/cases/{CASE_ID}", "/cases"]
    for path in pages:
        html = client.get(path).text
        assert ("escalated" if path == "/cases" else "breached") in html, path
        assert not re.search(r"\$\s?[0-9]|1,000|20,000|USD \d|Credit", html), path
    for path in ["/reports", "/reports/demo-genesys/2026-10.pdf", "/ledger", "/audit",
                 "/users"]:
        assert client.get(path).status_code in (403, 404), path


def test_procurement_sees_the_credit_of_the_breached_availability(app: Starlette) -> None:
    client = signed_in(app, "pat")
    # 35 min down of 44,640 -> 99.9216 %, in the 5 % tier of the 20,000.00 monthly fee
    assert "$1,000.00" in client.get("/vendors").text
    html = client.get("/contracts/demo-genesys").text
    assert "$20,000.00" in html
    assert "$1,000.00" in html


def test_sql_and_html_in_a_case_note_are_stored_verbatim_and_rendered_inert(
        app: Starlette, console: Console) -> None:
    client = signed_in(app, "otto")
    response = client.post("/cases/act", data={"csrf": token(client), "case_id": CASE_ID,
                                                "action": "acknowledge", "note": HOSTILE})
    assert response.status_code == 303
    case = StoreCaseRepository(console.store).get(CASE_ID)
    assert case is not None
    assert case.history[-1].note == HOSTILE
    html = client.get(f"/cases/{CASE_ID}").text
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "DROP TABLE cases; --" in html
    admin = signed_in(app, "ada")
    audit = admin.get("/audit").text
    assert "&lt;img src=x onerror=alert(2)&gt;" in audit
    assert "<img src=x" not in audit


def test_sql_and_html_as_a_user_name_at_sign_in_are_logged_inert(
        app: Starlette, console: Console) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"csrf": csrf_of(client.get("/login").text),
                                           "username": HOSTILE, "password": "x"})
    assert response.status_code == 401
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text  # the name is echoed back into the form, escaped
    assert console.audit_log.entries(action="sign-in")[0].target == HOSTILE[:200]
    assert "<script>" not in signed_in(app, "ada").get("/audit").text


def test_a_user_name_with_markup_is_refused_by_the_user_form(app: Starlette,
                                                             console: Console) -> None:
    client = signed_in(app, "ada")
    response = client.post("/users/add", data={"csrf": token(client), "username": HOSTILE,
                                               "role": "viewer", "password": "y" * 12})
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert [u.username for u in console.users.list()] == ["ada", "otto", "pat", "vic"]


def test_audit_filters_with_quotes_are_just_text(app: Starlette) -> None:
    client = signed_in(app, "ada")
    response = client.get("/audit", params={"who": "x' OR '1'='1", "action": "\"><b>"})
    assert response.status_code == 200
    assert "Nothing recorded." in response.text
    assert "\"><b>" not in response.text


def proxied(console: Console) -> Starlette:
    settings = replace(console.settings, trusted_proxy="10.0.0.5")
    return create_app(replace(console, settings=settings))


def test_the_proxy_header_signs_in_only_from_the_configured_proxy(console: Console) -> None:
    app = proxied(console)
    header = {"X-Forwarded-User": "pat"}
    from_proxy = TestClient(app, follow_redirects=False, client=("10.0.0.5", 40000))
    assert from_proxy.get("/vendors", headers=header).status_code == 200
    assert "$1,000.00" in from_proxy.get("/vendors", headers=header).text
    for address in ("10.0.0.6", "127.0.0.1", "testclient"):
        other = TestClient(app, follow_redirects=False, client=(address, 40000))
        response = other.get("/vendors", headers=header)
        assert response.status_code == 303, address
        assert response.headers["location"].startswith("/login")


def test_the_proxy_header_is_ignored_when_the_mode_is_off(app: Starlette) -> None:
    client = TestClient(app, follow_redirects=False, client=("10.0.0.5", 40000))
    assert client.get("/vendors", headers={"X-Forwarded-User": "ada"}).status_code == 303


def test_a_proxy_user_unknown_here_or_disabled_gets_nothing(console: Console) -> None:
    console.users.set_disabled("pat", True, console.now())
    client = TestClient(proxied(console), follow_redirects=False, client=("10.0.0.5", 1))
    for name in ("pat", "mallory"):
        assert client.get("/vendors", headers={"X-Forwarded-User": name}).status_code == 303


def test_a_proxy_users_post_still_needs_the_csrf_token(console: Console) -> None:
    client = TestClient(proxied(console), follow_redirects=False, client=("10.0.0.5", 1),
                        headers={"X-Forwarded-User": "otto"})
    assert client.post("/cases/act", data={"case_id": CASE_ID,
                                           "action": "acknowledge"}).status_code == 403
    response = client.post("/cases/act", data={"csrf": token(client, f"/cases/{CASE_ID}"),
                                                "case_id": CASE_ID, "action": "acknowledge"})
    assert response.status_code == 303
    assert console.audit_log.entries(action="case.acknowledge")[0].who == "otto"


def test_five_wrong_passwords_lock_the_name_and_the_right_one_then_waits(
        app: Starlette, console: Console) -> None:
    client = TestClient(app, follow_redirects=False)
    form = {"csrf": csrf_of(client.get("/login").text), "username": "pat"}
    for _ in range(5):
        assert client.post("/login", data={**form, "password": "wrong"}).status_code == 401
    locked = client.post("/login", data={**form, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Try again in 15 minute(s)" in locked.text
    outcomes = [e.outcome for e in console.audit_log.entries(action="sign-in")]
    assert outcomes == ["refused"] + ["failed"] * 5
    other = TestClient(app, follow_redirects=False)  # another name is not locked
    assert other.post("/login", data={"csrf": csrf_of(other.get("/login").text),
                                      "username": "otto",
                                      "password": PASSWORD}).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_sign_in_never_redirects_off_site(app: Starlette, target: str) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"csrf": csrf_of(client.get("/login").text),
                                           "username": "pat", "password": PASSWORD,
                                           "next": target})
    assert response.headers["location"] == "/"
