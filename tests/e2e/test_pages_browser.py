"""The subject's journeys in a real browser at phone width, and every main page at 320 px
(issues 14 and 16): in Dutch and English the subject opens the start page, chooses the
organisation and a right, sees every right's form, files, confirms by the mailed link,
follows the status page and downloads the demo package with the mailed step-up code. On
every page: no axe-core violation of the WCAG 2.1 A/AA rules, no console error, no CSP
violation, and nothing wider than 320 px. The intake is also done with the keyboard alone.
The staff and controller pages are opened at 320 px in both languages, with the same
checks. Screenshots of the
key pages go to ``screenshots/`` (git-ignored; README, "How we test")."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import Watch, axe_source, check_page
from tests.e2e.conftest import ROOT, DevServer, run_dev_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "screenshots"
WIDTH = 320
PASSWORD = "demo-password-2026"
RIGHTS = ("access", "rectification", "erasure", "restriction", "portability", "objection",
          "withdraw_consent")  # fmt: skip
WORDS = {
    "nl": {"make": "Een verzoek doen", "next": "Volgende", "send": "Verzoek versturen",
           "confirm": "Mijn verzoek bevestigen", "code": "Stuur mij een code",
           "code_label": "Code uit de e-mail", "zip": "Het ZIP-bestand downloaden",
           "unlawful": "Mijn gegevens worden onrechtmatig gebruikt.", "name": "Uw volledige naam",
           "email": "Uw e-mailadres", "unknown": "Weet ik niet", "erase": "Uw gegevens laten wissen"},
    "en": {"make": "Make a request", "next": "Next", "send": "Send request",
           "confirm": "Confirm my request", "code": "E-mail me a code",
           "code_label": "Code from the e-mail", "zip": "Download the ZIP file",
           "unlawful": "My data is being used unlawfully.", "name": "Your full name",
           "email": "Your e-mail address", "unknown": "I don't know", "erase": "Erase your data"},
}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A server of this module's own: the staff pages enrol the demo officer."""
    with run_dev_server(tmp_path_factory.mktemp("pages")) as running:
        yield running


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def _fits(page, where: str) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{where} ({page.url}) is {width} px wide at {WIDTH} px"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _context(browser, language: str, server: DevServer, watch: Watch | None = None):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": WIDTH, "height": 720}, accept_downloads=True)
    context.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    if watch is not None:
        watch.attach(context)
    page = context.new_page()
    page.goto(f"{server.url}/lang/{language}")
    return context, page


def _mail(instance: Path, seen: set[Path], pattern: str, about: str = "") -> str:
    """The first match of ``pattern`` in a new mail (about ``about``) the worker wrote."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for file in sorted(set((instance / "mail").glob("*.eml")) - seen):
            msg = message_from_bytes(file.read_bytes(), policy=policy.default)
            body = msg.get_body().get_content()  # type: ignore[union-attr]
            match = re.search(pattern, body, re.M)
            if match and about in str(msg["Subject"]) + body:
                return match.group(match.lastindex or 0)
        time.sleep(0.3)
    raise AssertionError(f"no mail with {pattern!r}")


def _demo_download(server: DevServer) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(
            r"Demo download.*?(/download/\S+)", (server.instance / "server.log").read_text()
        )
        if found:
            return found[1]
        time.sleep(0.3)
    raise AssertionError("no demo download link in the server log")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_subjects_journey_is_accessible_and_fits_a_phone(browser, server, axe, language):
    words, watch = WORDS[language], Watch()
    context, page = _context(browser, language, server, watch)

    def check(where: str, shot: str = "") -> None:
        check_page(page, axe, watch, where)
        _fits(page, where)
        if shot:
            _shot(page, f"{shot}-{language}")

    page.goto(server.url + "/")
    check("start page", "public-start")
    page.get_by_role("link", name=words["make"]).first.click()
    check("choose organisation and right", "public-choose")
    for right in RIGHTS:
        page.goto(f"{server.url}/request/form?org=unknown&right={right}")
        check(f"the form for {right}")
    page.goto(server.url + "/request")
    page.get_by_label(words["unknown"]).check()
    page.get_by_label(words["erase"]).check()
    page.get_by_role("button", name=words["next"]).click()
    check("the erasure form", "public-form")
    page.get_by_label(words["unlawful"]).check()
    page.get_by_label(words["name"]).fill("Sanne de Vries")
    page.get_by_label(words["email"]).fill(f"sanne-{language}@example.nl")
    seen = set((server.instance / "mail").glob("*.eml"))
    page.get_by_role("button", name=words["send"]).click()
    reference = page.locator("strong.ref").first.inner_text()
    check("request sent", "public-sent")
    page.goto(_mail(server.instance, seen, r"(http://\S+/verify/\S+)", reference))
    check("confirm the e-mail address")
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page).to_have_url(re.compile("/status/"))
    check("status page", "public-status")
    page.goto(server.url + "/lost-link")
    check("lost link")

    page.goto(server.url + _demo_download(server))
    check("download page", "public-download")
    seen = set((server.instance / "mail").glob("*.eml"))
    page.get_by_role("button", name=words["code"]).click()
    code = _mail(server.instance, seen, r"^\s+(\d{6})\s*$")
    check("download page with the code field")
    page.get_by_label(words["code_label"]).fill(code)
    with page.expect_download() as download:
        page.get_by_role("button", name=words["zip"]).click()
    assert download.value.suggested_filename.endswith(".zip")
    check("download page after the download", "public-downloaded")
    context.close()


def test_the_intake_with_the_keyboard_alone(browser, server, axe):
    """Tab, the arrow keys, Space and Enter only: no click, no mouse (WCAG 2.1.1)."""
    watch = Watch()
    context, page = _context(browser, "nl", server, watch)
    page.goto(server.url + "/request")
    keyboard = page.keyboard

    def tab_to(selector: str) -> None:
        for _ in range(80):
            keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("input[name=org]")  # a radio group is one Tab stop; the arrows move inside it
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "org-unknown":
            break
        keyboard.press("ArrowDown")
    keyboard.press("Space")
    assert page.locator("#org-unknown").is_checked()
    tab_to("#right-erasure")
    keyboard.press("Space")
    assert page.locator("#right-erasure").is_checked()
    tab_to("button[type=submit]")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/request/form"))
    tab_to("input[type=radio][name$=ground]")
    keyboard.press("Space")
    tab_to("input[name$=name]")
    keyboard.type("Kees Toetsenbord")
    tab_to("input[type=email]")
    keyboard.type("kees@example.nl")
    tab_to("button[type=submit]")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/request/sent"))
    assert re.fullmatch(
        r"AVG-[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator("strong.ref").first.inner_text()
    )
    check_page(page, axe, watch, "sent after a keyboard-only intake")
    context.close()


def _log_in(page, server: DevServer, email: str) -> None:  # type: ignore[no-untyped-def]
    """Password, then the TOTP enrolment of the first login (or a code after it)."""
    page.goto(server.url + "/auth/login")
    page.locator("input[type=email]").fill(email)
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    page.locator("form button[type=submit]").first.click()
    page.locator("main a").last.click()  # "I have saved them, continue"


STAFF = ("/staff/", "/staff/dashboard", "/staff/approvals", "/staff/register", "/staff/dev-mail",  # an officer
         "/auth/account")  # fmt: skip
CONTROLLER = ("/controller/", "/controller/files/", "/controller/packages/",
              "/controller/certificates/", "/controller/instructions/new")  # fmt: skip


def test_staff_and_controller_pages_are_accessible_and_fit_320_px(browser, server, axe):
    for email, pages, case_links in (
        ("officer@demo.example", STAFF, "a[href^='/staff/requests/']"),
        ("contact@bakkerij-jansen.example", CONTROLLER, "a[href^='/controller/requests/']"),
    ):
        watch = Watch()
        context, page = _context(browser, "nl", server, watch)
        _log_in(page, server, email)
        for language in ("nl", "en"):
            page.goto(f"{server.url}/lang/{language}")
            for path in pages:
                page.goto(server.url + path)
                _fits(page, path)
                check_page(page, axe, watch, path)
            page.goto(server.url + pages[0])
            cases = [page.locator(case_links).nth(i).get_attribute("href") for i in range(3)]
            for href in [h for h in cases if h]:
                page.goto(server.url + href)
                _fits(page, href)
                check_page(page, axe, watch, href)
                if href.startswith("/staff/"):
                    page.goto(server.url + href + "/data")
                    _fits(page, href + "/data")
                    check_page(page, axe, watch, href + "/data")
            role = "staff" if email.startswith("officer") else "controller"
            page.goto(server.url + pages[0])
            _shot(page, f"{role}-home-{language}")
            page.goto(server.url + cases[0])  # type: ignore[operator]
            _shot(page, f"{role}-case-{language}")
        context.close()
