"""The breach walk's own server and helpers (tests/e2e/test_breach_demo.py): a demo server
of its own writing mail to the development mail folder, and a login with first-login TOTP
enrolment. The controller walk (test_controller_demo.py) reads its mail over SMTP instead."""

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

from tests.e2e.axe import Watch
from tests.e2e.conftest import ROOT, DevServer, _wait_for
from tests.smtp import free_port

PASSWORD = "demo-password-2026"
CRM = "Klantenbestand Bakkerij Jansen (CRM)"
MAILING = "Mailinglijst Bakkerij Jansen"


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
