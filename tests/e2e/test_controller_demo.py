"""Issue 12 'done when', in a real browser against ``make run``'s demo: the demo subject
files an erasure request about Bakkerij Jansen; an officer finds the subject in two of its
sources, prepares both erasures and forwards the request; Jan Jansen (designated contact)
logs in with TOTP, approves one erasure and rejects the other with a reason; a second
officer executes the approved one; Jan downloads the certificate; the officer sends the
answer; the subject's status page shows what was done and what was refused and why, in the
controller's name (docs/controllers.md)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import Watch, axe_source, check_page
from tests.e2e.conftest import ROOT, DevServer, _wait_for
from tests.smtp import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "demo-password-2026"
CRM = "Klantenbestand Bakkerij Jansen (CRM)"
MAILING = "Mailinglijst Bakkerij Jansen"
REASON = "This mailing list is our proof of consent; we delete it ourselves next month."


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A server of its own: the walk enrols the officers and the contact, which the other
    end-to-end tests on the shared server do in their own way."""
    instance = tmp_path_factory.mktemp("controller-demo")
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("PORTAL_DATABASE_URL", None)
    with (instance / "server.log").open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "dev", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            _wait_for(f"http://127.0.0.1:{port}/", proc)
            yield DevServer(f"http://127.0.0.1:{port}", "", instance)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def _mail_link(instance: Path, reference: str, path: str, timeout: float = 120) -> str:
    """The first ``path`` link in a mail about ``reference`` the worker wrote."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for file in sorted((instance / "mail").glob("*.eml")):
            msg = message_from_bytes(file.read_bytes(), policy=policy.default)
            body = msg.get_body().get_content()
            if reference in str(msg["Subject"]) + body and path in body:
                match = re.search(rf"http://\S+{path}\S+", body)
                assert match
                return match.group(0)
        time.sleep(0.5)
    raise AssertionError(f"no mail with {path} for {reference}")


def _log_in(browser, url: str, email: str):  # type: ignore[no-untyped-def]
    """A fresh browser as ``email``: password, then the first-login TOTP enrolment."""
    page = _page(browser)
    page.goto(url + "/lang/en")
    page.goto(url + "/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Six-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="I have saved them, continue").click()
    return page


WATCHES: dict[int, Watch] = {}  # each page's console and CSP watch


def _page(browser):  # type: ignore[no-untyped-def]
    """A page of a fresh browser context, patient with a server on a loaded machine, with a
    watch on console errors and CSP violations."""
    context = browser.new_context()
    context.set_default_timeout(120_000)
    expect.set_options(timeout=120_000)
    watch = Watch()
    watch.attach(context)
    page = context.new_page()
    WATCHES[id(page)] = watch
    return page


def _accessible(page, where: str) -> None:  # type: ignore[no-untyped-def]
    """axe (WCAG 2.1 A/AA), no console error and no CSP violation on the page shown now."""
    check_page(page, axe_source(), WATCHES[id(page)], where)


def _file_request(browser, server: DevServer) -> tuple[object, str]:
    page = _page(browser)
    page.goto(server.url + "/lang/en")
    page.goto(server.url + "/")
    page.get_by_role("link", name="Make a request").click()
    page.get_by_label("Bakkerij Jansen").check()
    page.get_by_label("Erase your data").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("My data is being used unlawfully.").check()
    page.get_by_label("Your full name").fill("Pieter Smit")
    page.get_by_label("Your e-mail address").fill("p.smit@example.nl")
    page.get_by_role("button", name="Send request").click()
    reference = page.locator("strong.ref").first.inner_text()
    page.goto(_mail_link(server.instance, reference, "/verify/"))
    page.get_by_role("button", name="Confirm my request").click()
    assert "/status/" in page.url
    return page, reference


def _prepare_and_forward(officer, url: str, reference: str) -> None:
    officer.goto(f"{url}/staff/requests/{reference}/data")
    officer.get_by_role("button", name="Search all sources").click()
    rows = officer.locator("#matches tbody tr")
    found = rows.count()
    assert {CRM, MAILING} <= {rows.nth(i).locator("td").first.inner_text() for i in range(found)}
    for i in range(found):  # each click reloads the page: wait for its result
        rows.nth(i).get_by_role("button", name="Confirm").click()
        expect(rows.nth(i).locator("td").nth(3)).to_have_text("confirmed")
    for count, source in enumerate((CRM, MAILING), start=1):
        officer.get_by_label("Action").select_option(label="Erase")
        officer.get_by_label("Source", exact=True).select_option(label=source)
        officer.get_by_role("button", name="Preview").click()
        expect(officer.locator("section.action")).to_have_count(count)
    officer.goto(f"{url}/staff/requests/{reference}")
    officer.get_by_label("Forward this request to Bakkerij Jansen (cannot be undone)").check()
    officer.get_by_role("button", name="Forward to Bakkerij Jansen").click()
    assert "Forwarded" in officer.locator("main").inner_text()


def _decide(contact, url: str, reference: str) -> None:
    contact.goto(f"{url}/controller/")
    contact.get_by_role("link", name=reference).click()
    for source, choice, reason in ((CRM, "Approve: carry this out", ""),
                                   (MAILING, "Reject: do not carry this out", REASON)):  # fmt: skip
        section = contact.locator("section.action", has=contact.get_by_role("heading", name=source))
        section.get_by_label(choice).check()
        if reason:
            section.get_by_label("Reason or comment").fill(reason)
        section.get_by_role("button", name="Record my decision").click()
        expect(section.get_by_text("Your current decision")).to_contain_text(
            "Approved" if not reason else "Rejected"
        )
    contact.get_by_role("button", name="Send our decisions to the processor").click()


def _execute_approved(second, url: str, reference: str) -> None:
    second.goto(f"{url}/staff/requests/{reference}/data")
    approved = second.locator("section.action", has=second.get_by_role("heading", name=CRM))
    approved.get_by_role("button", name="Execute exactly this").click()
    expect(approved.get_by_role("heading", name=CRM)).to_contain_text("executed")
    text = second.locator("main").inner_text()
    assert "executed" in second.locator("section.action", has_text=CRM).first.inner_text()
    assert "previewed, not executed" in text  # the rejected one stays undone


def _certificate(contact, url: str, reference: str) -> None:
    contact.goto(f"{url}/controller/certificates/")
    row = contact.locator("tr", has_text=reference)
    href = row.get_by_role("link", name=re.compile("PDF")).get_attribute("href")
    response = contact.request.get(url + href)
    assert response.status == 200 and response.body().startswith(b"%PDF-")


def _answer(officer, url: str, reference: str) -> None:
    officer.goto(f"{url}/staff/requests/{reference}")
    officer.get_by_label("Partially fulfilled").check()
    officer.get_by_label("Art. 17(1) GDPR: none of the grounds for erasure applies").check()
    officer.get_by_label("What was done, what was kept and why (goes into the letter)").fill(
        "Bakkerij Jansen keeps its mailing list as proof of your consent."
    )
    officer.get_by_role("button", name="Prepare the letter").click()
    officer.get_by_label(
        "I have checked the letter; send it to the subject now (cannot be undone)"
    ).check()
    officer.get_by_role("button", name="Send the answer").click()
    officer.get_by_role("heading", name="Answer letters sent").wait_for()


def test_the_controller_decides_and_the_answer_speaks_in_its_name(demo_server, browser):
    url = demo_server.url
    subject, reference = _file_request(browser, demo_server)
    _accessible(subject, "the subject's status page")
    officer = _log_in(browser, url, "officer@demo.example")
    _prepare_and_forward(officer, url, reference)
    _accessible(officer, "the officer's case page after forwarding")
    contact = _log_in(browser, url, "contact@bakkerij-jansen.example")
    _decide(contact, url, reference)
    _accessible(contact, "the controller's request page after deciding")
    second = _log_in(browser, url, "officer2@demo.example")
    _execute_approved(second, url, reference)
    _accessible(second, "the second officer's data page after executing")
    _certificate(contact, url, reference)
    _accessible(contact, "the controller's certificates page")
    _answer(officer, url, reference)
    _accessible(officer, "the officer's case page after answering")

    subject.reload()  # the status page the confirmation link opened
    _accessible(subject, "the subject's status page with the answer")
    letter = subject.locator(".letter-body").first.inner_text()
    assert "on behalf of Bakkerij Jansen" in letter
    assert f"{CRM}: your data were erased." in letter
    assert "What Bakkerij Jansen decided not to do, and why:" in letter
    assert f"{MAILING}: your data were not erased." in letter and REASON in letter
    assert "contact@bakkerij-jansen.example" in letter  # the controller's contact details
    assert "concerns Bakkerij Jansen" in letter  # the complaint text names the controller
    subject.screenshot(path=str(demo_server.instance / "controller-answer.png"), full_page=True)
