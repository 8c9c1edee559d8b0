"""The joined-up journey in a real browser against ``make run``'s demo, every mail over real
SMTP (issues 12 and 16), once with the subject in Dutch and once in English, each on a
server of its own. The demo subject files access and erasure in one intake
about Bakkerij Jansen and confirms both with the one link mailed to him. An officer (TOTP)
finds him in two of its sources, prepares both erasures, builds the copy for the access
request and forwards both requests; Jan Jansen (designated contact, TOTP) opens them from
the mailed notice, approves one erasure, rejects the other with a reason and approves the
copy. A second officer executes the approved erasure and releases the copy (four eyes). The
subject downloads the ZIP from the page the package-ready mail links, with the code mailed to
him, and its checksums hold; the officer answers the erasure, and the page the answer mail
links shows what was done and what was refused and why, in the controller's name
(docs/controllers.md). Each role's pages pass axe (WCAG 2.1 A/AA) with no console error and
no CSP violation, in the role's language (the subject's, and English for staff and contact)."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from exporters.verify import read_manifest, verify_package
from tests.e2e.axe import Watch, axe_source, check_page
from tests.e2e.conftest import DevServer, run_dev_server
from tests.smtp import Inbox, smtp_server, wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "demo-password-2026"
SUBJECT = "p.smit@example.nl"
CONTACT = "contact@bakkerij-jansen.example"
CRM = "Klantenbestand Bakkerij Jansen (CRM)"
MAILING = "Mailinglijst Bakkerij Jansen"
REASON = "This mailing list is our proof of consent; we delete it ourselves next month."
LINK = r"(http://\S+{path}\S+)"


WORDS = {
    "nl": {"make": "Een verzoek doen", "access": "Uw gegevens inzien",
           "erase": "Uw gegevens laten wissen", "next": "Volgende",
           "unlawful": "Mijn gegevens worden onrechtmatig gebruikt.", "name": "Uw volledige naam",
           "email": "Uw e-mailadres", "send": "Verzoek versturen",
           "confirm": "Mijn verzoek bevestigen", "ready": "klaar om te downloaden",
           "download": "Uw gegevens downloaden", "code": "Stuur mij een code",
           "code_label": "Code uit de e-mail", "zip": "Het ZIP-bestand downloaden",
           "behalf": "namens Bakkerij Jansen", "erased": "Wat wij hebben gewist:\n- {}: ",
           "refused": "Wat Bakkerij Jansen heeft besloten niet te doen, en waarom:",
           "kept": "{}: uw gegevens zijn niet gewist.", "complaint": "betreft Bakkerij Jansen"},
    "en": {"make": "Make a request", "access": "See your data", "erase": "Erase your data",
           "next": "Next", "unlawful": "My data is being used unlawfully.",
           "name": "Your full name", "email": "Your e-mail address", "send": "Send request",
           "confirm": "Confirm my request", "ready": "ready to download",
           "download": "Download your data", "code": "E-mail me a code",
           "code_label": "Code from the e-mail", "zip": "Download the ZIP file",
           "behalf": "on behalf of Bakkerij Jansen", "erased": "What we erased:\n- {}: ",
           "refused": "What Bakkerij Jansen decided not to do, and why:",
           "kept": "{}: your data were not erased.", "complaint": "concerns Bakkerij Jansen"},
}  # fmt: skip


@dataclass
class Demo:
    """A demo server of its own, its worker sending every mail over SMTP to ``inbox``, and
    the subject's language."""

    server: DevServer
    inbox: Inbox
    language: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.language]


@pytest.fixture(scope="module", params=["nl", "en"])
def demo(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Demo]:
    """One server per walk: the walk enrols the officers and the contact and erases the
    subject's data, so a second walk needs fresh demo data. Mail goes over real SMTP to an
    aiosmtpd server on 127.0.0.1 on a free port."""
    with smtp_server() as inbox:
        smtp = {"PORTAL_MAIL_MODE": "smtp", "PORTAL_SMTP_HOST": "127.0.0.1",
                "PORTAL_SMTP_PORT": str(inbox.port), "PORTAL_SMTP_SECURITY": "none"}  # fmt: skip
        instance = tmp_path_factory.mktemp(f"controller-demo-{request.param}")
        with run_dev_server(instance, **smtp) as server:
            yield Demo(server, inbox, request.param)


WATCHES: dict[int, Watch] = {}  # each page's console and CSP watch


def _page(browser, language: str, url: str):  # type: ignore[no-untyped-def]
    """A page of a fresh browser context in ``language``, patient with a server on a loaded
    machine, with a watch on console errors and CSP violations."""
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(120_000)
    expect.set_options(timeout=120_000)
    watch = Watch()
    watch.attach(context)
    page = context.new_page()
    WATCHES[id(page)] = watch
    page.goto(f"{url}/lang/{language}")
    return page


def _accessible(page, where: str) -> None:  # type: ignore[no-untyped-def]
    """axe (WCAG 2.1 A/AA), no console error and no CSP violation on the page shown now."""
    check_page(page, axe_source(), WATCHES[id(page)], where)


def _log_in(browser, url: str, email: str):  # type: ignore[no-untyped-def]
    """A fresh browser as ``email`` in English: password, then the first-login TOTP
    enrolment."""
    page = _page(browser, "en", url)
    page.goto(url + "/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Six-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="I have saved them, continue").click()
    return page


def _file_request(browser, demo: Demo) -> tuple[object, str, str]:  # type: ignore[no-untyped-def]
    """Access and erasure in one intake, in the subject's language; one mailed link
    confirms both."""
    words, url = demo.words, demo.url
    page = _page(browser, demo.language, url)
    page.goto(url + "/")
    _accessible(page, "the start page")
    page.get_by_role("link", name=words["make"]).first.click()
    page.get_by_label("Bakkerij Jansen").check()
    page.get_by_label(words["access"]).check()
    page.get_by_label(words["erase"]).check()
    page.get_by_role("button", name=words["next"]).click()
    _accessible(page, "the form for access and erasure")
    page.get_by_label(words["unlawful"]).check()
    page.get_by_label(words["name"]).fill("Pieter Smit")
    page.get_by_label(words["email"]).fill(SUBJECT)
    page.get_by_role("button", name=words["send"]).click()
    _accessible(page, "the page with both references")
    refs = {
        item.locator("strong.ref").inner_text(): item.inner_text()
        for item in page.locator("main li:has(strong.ref)").all()
    }
    access = next(ref for ref, text in refs.items() if words["access"] in text)
    erasure = next(ref for ref, text in refs.items() if words["erase"] in text)
    _, link = wait_for_mail(demo.inbox, SUBJECT, LINK.format(path="/verify/"))
    page.goto(link)
    _accessible(page, "confirm the e-mail address")
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page).to_have_url(re.compile("/status/"))
    _accessible(page, "the subject's status page")
    return page, access, erasure


def _confirm_matches(officer, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    officer.goto(f"{url}/staff/requests/{reference}/data")
    officer.get_by_role("button", name="Search all sources").click()
    rows = officer.locator("#matches tbody tr")
    for source in (CRM, MAILING):  # the result page, not the one the click left
        expect(rows.filter(has_text=source).first).to_be_attached()
    found = rows.count()
    assert {CRM, MAILING} <= {rows.nth(i).locator("td").first.inner_text() for i in range(found)}
    for i in range(found):  # each click reloads the page: wait for its result
        rows.nth(i).get_by_role("button", name="Confirm").click()
        expect(rows.nth(i).locator("td").nth(3)).to_have_text("confirmed")


def _forward(officer, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    officer.goto(f"{url}/staff/requests/{reference}")
    officer.get_by_label("Forward this request to Bakkerij Jansen (cannot be undone)").check()
    officer.get_by_role("button", name="Forward to Bakkerij Jansen").click()
    expect(officer.locator("main")).to_contain_text("Forwarded")


def _prepare_erasures(officer, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    _confirm_matches(officer, url, reference)
    for count, source in enumerate((CRM, MAILING), start=1):
        officer.get_by_label("Action").select_option(label="Erase")
        officer.get_by_label("Source", exact=True).select_option(label=source)
        officer.get_by_role("button", name="Preview").click()
        expect(officer.locator("section.action")).to_have_count(count)
    _forward(officer, url, reference)


def _build_copy(officer, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    _confirm_matches(officer, url, reference)
    officer.goto(f"{url}/staff/requests/{reference}/packages/")
    officer.get_by_role("button", name="Build package").click()
    expect(officer.locator("main")).to_contain_text("A second officer must release it.")
    _accessible(officer, "the officer's packages page after building")
    _forward(officer, url, reference)


def _open_notice(contact, inbox: Inbox, reference: str) -> None:  # type: ignore[no-untyped-def]
    """The request page the notice mailed to the contact links."""
    _, link = wait_for_mail(
        inbox, CONTACT, LINK.format(path="/controller/requests/"), about=reference
    )
    assert link.endswith("/controller/requests/" + reference)
    contact.goto(link)


def _decide_erasures(contact, inbox: Inbox, reference: str) -> None:  # type: ignore[no-untyped-def]
    _open_notice(contact, inbox, reference)
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
    _accessible(contact, "the controller's erasure request after deciding")
    contact.get_by_role("button", name="Send our decisions to the processor").click()


def _approve_copy(contact, inbox: Inbox, reference: str) -> None:  # type: ignore[no-untyped-def]
    _open_notice(contact, inbox, reference)
    section = contact.locator("section.action[id^=package-]")
    section.get_by_label("Approve: the subject may receive it").check()
    section.get_by_role("button", name="Record my decision").click()
    expect(section.get_by_text("Your current decision")).to_contain_text("Approved")
    _accessible(contact, "the controller's access request after approving the copy")
    contact.get_by_role("button", name="Send our decisions to the processor").click()


def _execute_approved(second, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    second.goto(f"{url}/staff/requests/{reference}/data")
    approved = second.locator("section.action", has=second.get_by_role("heading", name=CRM))
    approved.get_by_role("button", name="Execute exactly this").click()
    expect(approved.get_by_role("heading", name=CRM)).to_contain_text("executed")
    text = second.locator("main").inner_text()
    assert "executed" in second.locator("section.action", has_text=CRM).first.inner_text()
    assert "previewed, not executed" in text  # the rejected one stays undone
    _accessible(second, "the second officer's data page after executing")


def _release_copy(second, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    second.goto(f"{url}/staff/requests/{reference}/packages/")
    second.get_by_role("button", name="Release").click()
    expect(second.locator("main")).to_contain_text("The package was released to the data subject.")
    _accessible(second, "the second officer's packages page after releasing")


def _certificate(contact, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    contact.goto(f"{url}/controller/certificates/")
    row = contact.locator("tr", has_text=reference)
    href = row.get_by_role("link", name=re.compile("PDF")).get_attribute("href")
    response = contact.request.get(url + href)
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    _accessible(contact, "the controller's certificates page")


def _download(subject, demo: Demo, reference: str, after: int, target: Path) -> None:  # type: ignore[no-untyped-def]
    """From the package-ready mail (one of the mails after the first ``after``) to the status
    page, then the ZIP with the mailed code."""
    words, inbox = demo.words, demo.inbox
    ready, link = wait_for_mail(
        inbox, SUBJECT, LINK.format(path="/status/"), about=reference, after=after
    )
    assert words["ready"] in str(ready["Subject"])
    subject.goto(link)
    _accessible(subject, "the status page of the access request")
    subject.get_by_role("link", name=words["download"]).click()
    _accessible(subject, "the download page")
    checksum = subject.locator("dd code").inner_text().strip()
    after = len(inbox.messages)
    subject.get_by_role("button", name=words["code"]).click()
    _, code = wait_for_mail(inbox, SUBJECT, r"^\s+(\d{6})\s*$", about=reference, after=after)
    _accessible(subject, "the download page with the code sent")
    subject.get_by_label(words["code_label"]).fill(code)
    with subject.expect_download() as download:
        subject.get_by_role("button", name=words["zip"]).click()
    download.value.save_as(target)
    _accessible(subject, "the download page after the download")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == checksum
    assert verify_package(target).ok  # every file against the manifest's SHA-256
    manifest = read_manifest(target)
    assert manifest.reference == reference and manifest.language == demo.language
    with zipfile.ZipFile(target) as archive:
        assert "Pieter Smit" in archive.read("summary.html").decode()


def _answer(officer, url: str, reference: str) -> None:  # type: ignore[no-untyped-def]
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
    _accessible(officer, "the officer's case page after answering")


def test_the_joined_up_journey_over_smtp(demo, browser, tmp_path):
    url, inbox, words = demo.url, demo.inbox, demo.words
    subject, access, erasure = _file_request(browser, demo)
    officer = _log_in(browser, url, "officer@demo.example")
    _prepare_erasures(officer, url, erasure)
    _accessible(officer, "the officer's case page after forwarding")
    _build_copy(officer, url, access)
    contact = _log_in(browser, url, CONTACT)
    _decide_erasures(contact, inbox, erasure)
    _approve_copy(contact, inbox, access)
    second = _log_in(browser, url, "officer2@demo.example")
    _execute_approved(second, url, erasure)
    released = len(inbox.messages)
    _release_copy(second, url, access)
    _certificate(contact, url, erasure)
    _download(subject, demo, access, released, tmp_path / "package.zip")
    answered = len(inbox.messages)
    _answer(officer, url, erasure)

    _, link = wait_for_mail(
        inbox, SUBJECT, LINK.format(path="/status/"), about=erasure, after=answered
    )
    subject.goto(link)  # the page the answer mail links
    _accessible(subject, "the subject's status page with the answer")
    letter = subject.locator(".letter-body").first.inner_text()
    assert words["behalf"] in letter
    assert words["erased"].format(CRM) in letter
    assert words["refused"] in letter
    assert words["kept"].format(MAILING) in letter and REASON in letter
    assert CONTACT in letter  # the controller's contact details
    assert words["complaint"] in letter  # the complaint text names the controller
    shot = demo.server.instance / f"controller-answer-{demo.language}.png"
    subject.screenshot(path=str(shot), full_page=True)
