"""The console in a real headless Chromium: sign in, read the vendor page, download a PDF,
acknowledge a case, and a viewer whose POST is refused by the server (403) even when it is
forged past the hidden button. A screenshot of every page lands in the test's tmp dir."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from monitor.cases.model import CaseState
from monitor.console.server import RunningConsole, start
from monitor.console.state import Console
from monitor.storage.cases_repository import StoreCaseRepository
from tests.console.browser import chromium, wait_for
from tests.console.conftest import CASE_ID, PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def served(app: Starlette) -> Iterator[RunningConsole]:
    running = start(app)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    (tmp_path / "downloads").mkdir()
    with chromium(tmp_path / "downloads") as driver:
        yield driver


class Session:
    def __init__(self, driver: Any, base: str, shots: Path) -> None:
        self.driver, self.base, self.shots = driver, base, shots
        shots.mkdir(exist_ok=True)

    def open(self, path: str) -> str:
        self.driver.get(self.base + path)
        return str(self.driver.page_source)

    def shot(self, name: str) -> None:
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))

    def sign_in(self, username: str) -> None:
        from selenium.webdriver.common.by import By

        self.open("/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "sign-in").click()
        wait_for(lambda: "/login" not in self.driver.current_url)

    def sign_out(self) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        wait_for(lambda: "/login" in self.driver.current_url)

    def text(self) -> str:
        """The page's text; while a form submission replaces the page, the body found may go
        stale before it is read, so read the new one."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        for _ in range(50):
            try:
                return str(self.driver.find_element(By.TAG_NAME, "body").text)
            except StaleElementReferenceException:
                time.sleep(0.1)
        raise AssertionError("the page kept changing for 5 s")


def test_procurement_reads_the_vendor_page_and_downloads_the_pdf(
        served: RunningConsole, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    s = Session(browser, served.url, tmp_path / "screenshots")
    s.open("/vendors")
    assert "/login" in browser.current_url  # not signed in: sent to the sign-in page
    s.shot("login")
    s.sign_in("pat")
    assert browser.current_url.endswith("/vendors")
    body = s.text()
    assert "Demo Corp - Genesys Cloud (simulated)" in body
    assert "availability\nbreached" in body
    assert "$1,000.00" in body
    s.shot("vendors")
    browser.find_element(By.LINK_TEXT, "Demo Corp - Genesys Cloud (simulated)").click()
    assert "Period 2026-10" in s.text()
    s.shot("contract")
    browser.find_element(By.LINK_TEXT, "availability").click()
    assert "99.922%" in s.text()
    assert browser.find_elements(By.CSS_SELECTOR, "svg.trend circle.dot.bad")
    s.shot("sla")
    s.open("/reports")
    s.shot("reports")
    browser.find_element(By.CSS_SELECTOR, "a[href='/reports/demo-genesys/2026-10.pdf']").click()
    pdf = tmp_path / "downloads" / "demo-genesys-2026-10.pdf"
    wait_for(pdf.is_file, timeout=60)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    s.open("/audit")
    assert "report.download" in s.text()
    s.shot("audit")


def test_oncall_acknowledges_a_case_in_the_browser(
        served: RunningConsole, browser: Any, console: Console, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    s = Session(browser, served.url, tmp_path / "screenshots")
    s.sign_in("otto")
    s.open("/cases")
    s.shot("cases")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/cases/{CASE_ID}']").click()
    assert "Acknowledge by" in s.text()
    assert "$" not in s.text()  # on-call sees no money
    browser.find_element(By.ID, "note").send_keys("vendor ticket INC-4411")
    browser.find_element(By.ID, "act-acknowledge").click()
    wait_for(lambda: "vendor ticket INC-4411" in s.text())
    s.shot("case-acknowledged")
    case = StoreCaseRepository(console.store).get(CASE_ID)
    assert case is not None
    assert case.history[-1].action == "acknowledge"
    assert case.history[-1].who == "otto"
    assert case.state is CaseState.ESCALATED


def test_a_viewer_has_no_buttons_and_a_forged_post_is_refused(
        served: RunningConsole, browser: Any, console: Console, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    s = Session(browser, served.url, tmp_path / "screenshots")
    s.sign_in("vic")
    s.open(f"/cases/{CASE_ID}")
    assert not browser.find_elements(By.ID, "act-acknowledge")
    s.shot("viewer-case")
    before = StoreCaseRepository(console.store).get(CASE_ID)
    # The button is hidden; post the form anyway, with the session's valid CSRF token.
    for path, fields in ((("/cases/act", {"case_id": CASE_ID, "action": "acknowledge"})),
                         ("/contracts/demo-genesys/close", {"period": "2026-10"})):
        browser.execute_script("""
            const [path, fields] = arguments;
            const form = document.createElement('form');
            form.method = 'post'; form.action = path;
            const add = (k, v) => { const i = document.createElement('input');
                i.type = 'hidden'; i.name = k; i.value = v; form.appendChild(i); };
            add('csrf', document.querySelector("input[name='csrf']").value);
            for (const [k, v] of Object.entries(fields)) add(k, v);
            document.body.appendChild(form); form.submit();""", path, fields)
        wait_for(lambda: "Not allowed" in s.text())
        assert "Not allowed HTTP 403" in s.text()
        assert "Your role (viewer) may not do this." in s.text()
        s.shot("viewer-refused-" + path.strip("/").replace("/", "-"))
        s.open(f"/cases/{CASE_ID}")
    assert StoreCaseRepository(console.store).get(CASE_ID) == before
    assert console.store.period_status("demo-genesys", "2026-10") == "provisional"
    refusals = console.audit_log.entries(action="refused", who="vic")
    assert [e.target for e in refusals] == ["/contracts/demo-genesys/close", "/cases/act"]


def test_procurement_takes_a_claim_from_submitted_to_credited(
        served: RunningConsole, browser: Any, console: Console, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from monitor.domain.claims import ClaimState
    from monitor.storage.claims_repository import ClaimRepository

    s = Session(browser, served.url, tmp_path / "screenshots")
    s.sign_in("pat")
    s.open("/contracts/demo-genesys?period=2026-10")
    browser.find_element(By.XPATH, "//button[text()='Close period (make final)']").click()
    wait_for(lambda: "Claim: draft" in s.text())
    browser.find_element(By.PARTIAL_LINK_TEXT, "Claim: draft").click()
    s.shot("claim-draft")

    def do(action: str, **fields: str) -> None:
        for name, value in fields.items():
            box = browser.find_element(By.ID, f"{action}-{name}")
            if name == "date":  # a date input takes the digits in the locale's order
                browser.execute_script("arguments[0].value = arguments[1]", box, value)
            else:
                box.send_keys(value)
        browser.find_element(By.ID, f"do-{action}").click()
        wait_for(lambda: not browser.find_elements(By.ID, f"do-{action}"))

    do("submit", reference="CLM-2026-10", date="2026-11-20")
    do("acknowledge")
    do("accept", amount="1000.00")
    do("credit", invoice_number="INV-7781", amount="1000.00", date="2026-12-05")
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("2026-10 credited")
    assert "INV-7781 of 2026-12-05" in s.text()
    s.shot("claim-credited")
    claim = ClaimRepository(console.store).get("demo-genesys/2026-10")
    assert claim is not None
    assert claim.state is ClaimState.CREDITED
    assert [e.action.value for e in claim.events] == [
        "draft", "submit", "acknowledge", "accept", "credit"]
    s.open("/claims")
    s.shot("claims-board")
    s.open("/ledger")
    assert "$1,000.00" in s.text()
    s.shot("ledger")
