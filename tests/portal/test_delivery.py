"""Delivery of export packages through the real app (CSRF on): the subject's step-up
download, 410 for expired/revoked/purged, a damaged file serves nothing, four eyes on the
staff endpoints, controllers see only their own packages."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from exporters.verify import verify_package
from operations.packages import build_request_package, request_export_package
from portal.packages import download_links, download_token
from portal.tokens import read_token
from portal.worker import run_once
from rights import packages
from rights.audit import Actor
from rights.controllers.approvals import decide_package
from rights.db import now_utc
from rights.models import AuditEvent, OrganisationKind, OutboxMail, Package, PackageStatus, Role
from rights.models.controller import DecisionKind
from rights.requests import Requester
from tests.helpers import csrf_token, ops_context, package_store
from tests.smtp import smtp_server


@pytest.fixture
def officers(make_user):
    return make_user(Role.OFFICER), make_user(Role.OFFICER)


@pytest.fixture
def released(app, db_session, make_request, make_user, officers):
    """A verified access request with a package built by officer 1, released by officer 2
    (on a controller's request after its designated contact approved it)."""

    def make(language="nl", organisation=None, **kw):
        req = make_request(
            language=language,
            organisation_id=organisation.id if organisation else None,
            requester=Requester(name="Eva de Boer", email="eva@example.nl", phone="0612345678"),
            **kw,
        )
        req.email_verified_at = now_utc()
        now = now_utc()
        with app.app_context():
            pkg = build_request_package(
                ops_context(app, db_session, Actor.user(officers[0].id), now),
                req,
                request_export_package(req, now=now, operator_name="Mailhuis"),
            )
        if organisation is not None and organisation.kind is OrganisationKind.CONTROLLER:
            contact = make_user(Role.CONTROLLER, organisation=organisation)
            contact.designated = True
            decide_package(db_session, pkg, DecisionKind.APPROVE, actor=Actor.user(contact.id),
                           now=now)  # fmt: skip
        packages.release_package(db_session, pkg, actor=Actor.user(officers[1].id), now=now)
        db_session.commit()
        return pkg

    return make


def url_for_package(app, pkg):
    with app.test_request_context():
        return f"/download/{download_token(pkg)}"


def ask_code(client, db_session, url):
    page = client.get(url)
    assert page.status_code == 200
    resp = client.post(url, data={"action": "send", "csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    mail = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    return mail.context["code"]


def enter_code(client, url, code):
    page = client.get(url)
    return client.post(
        url, data={"action": "download", "code": code, "csrf_token": csrf_token(page)}
    )


def test_subject_downloads_after_a_mailed_code(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert pkg.sha256 in page.get_data(as_text=True)
    assert re.search(r"<dd>\d+,\d kB</dd>", page.get_data(as_text=True))  # Dutch decimals
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")
    resp = client.post(url, data={"action": "send", "csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    with smtp_server() as inbox:
        app.config["SMTP_PORT"] = inbox.port
        assert run_once(app).sent == 2  # the package-ready mail (on release) and the code
    [ready, received] = sorted(inbox.messages, key=lambda m: "code" in m.message["Subject"])
    assert "Download your data" in ready.message.get_body().get_content() or (
        "Uw gegevens downloaden" in ready.message.get_body().get_content()
    )
    assert received.envelope_to == ["eva@example.nl"]
    code = re.search(r"^\s+(\d{6})\s*$", received.message.get_body().get_content(), re.M)[1]
    assert code not in received.message["Subject"]
    sent = db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "download_code")
    ).one()
    db_session.refresh(sent)
    assert "code" not in sent.context  # the outbox forgets the code once it is sent

    resp = enter_code(client, url, code)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/zip"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    body = resp.get_data()
    assert len(body) == pkg.size
    report = verify_package(io.BytesIO(body))
    assert report.ok and report.checked >= 5
    db_session.refresh(pkg)
    assert pkg.download_count == 1
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.downloaded")
    ).one()
    assert event.actor_kind == "subject" and event.data["sha256"] == pkg.sha256


def test_a_code_works_once(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    code = ask_code(client, db_session, url)
    assert enter_code(client, url, code).status_code == 200
    again = enter_code(client, url, code)
    assert again.status_code == 422
    assert again.headers["Content-Type"].startswith("text/html")
    assert "PK\x03\x04" not in again.get_data(as_text=True)
    db_session.refresh(pkg)
    assert pkg.download_count == 1


def test_an_expired_code_is_refused(app, client, db_session, released, monkeypatch):
    pkg = released()
    url = url_for_package(app, pkg)
    code = ask_code(client, db_session, url)
    later = now_utc() + packages.CODE_TTL + timedelta(seconds=5)
    monkeypatch.setattr("portal.delivery.views.clock", SimpleNamespace(now=lambda: later))
    resp = enter_code(client, url, code)
    assert resp.status_code == 422
    assert "Deze code klopt niet" in resp.get_data(as_text=True)


def test_dutch_subject_gets_dutch_readme_and_summary(app, client, db_session, released):
    for language, readme_word, summary_word in (
        ("nl", "bestanden", 'lang="nl"'),
        ("en", "files", 'lang="en"'),
    ):
        pkg = released(language=language)
        url = url_for_package(app, pkg)
        code = ask_code(client, db_session, url)
        archive = zipfile.ZipFile(io.BytesIO(enter_code(client, url, code).get_data()))
        readme = archive.read("README.txt").decode("utf-8-sig")
        summary = archive.read("summary.html").decode()
        assert readme_word in readme.lower(), readme[:300]
        assert summary_word in summary
        assert "Eva de Boer" in summary
        manifest = archive.read("manifest.json").decode()
        assert f'"language": "{language}"' in manifest


def test_expired_package_is_410(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    pkg.expires_at = now_utc() - timedelta(seconds=1)
    db_session.commit()
    resp = client.get(url)
    assert resp.status_code == 410
    assert "verlopen" in resp.get_data(as_text=True)
    page_en = client.get(url, headers={"Accept-Language": "en"})
    client.get("/lang/en")
    resp = client.get(url)
    assert resp.status_code == 410 and "expired" in resp.get_data(as_text=True)
    assert page_en.status_code == 410


def test_revoked_then_reissued(app, client, db_session, released, officers):
    pkg = released()
    old_url = url_for_package(app, pkg)
    code = ask_code(client, db_session, old_url)
    form_page = client.get(old_url)
    packages.revoke_package(db_session, pkg, actor=Actor.user(officers[0].id), now=now_utc())
    db_session.commit()
    resp = client.get(old_url)
    assert resp.status_code == 410 and "ingetrokken" in resp.get_data(as_text=True)
    # a code asked for before the revocation does not open it either (POST: 410, no file)
    resp = client.post(
        old_url, data={"action": "download", "code": code, "csrf_token": csrf_token(form_page)}
    )
    assert resp.status_code == 410
    packages.reissue_package(db_session, pkg, actor=Actor.user(officers[1].id), now=now_utc())
    db_session.commit()
    assert client.get(old_url).status_code == 410
    new_url = url_for_package(app, pkg)
    assert new_url != old_url
    code = ask_code(client, db_session, new_url)
    assert enter_code(client, new_url, code).status_code == 200


def test_purged_package_is_410_and_audit_keeps_the_checksum(app, client, db_session, released):
    from operations.jobs import JOBS
    from portal.context import context_for

    pkg = released()
    url = url_for_package(app, pkg)
    path = package_store(app).path(pkg.storage_key)
    pkg.expires_at = now_utc() - timedelta(seconds=1)
    db_session.commit()
    with app.app_context():
        assert JOBS["purge_packages"](context_for(app, db_session)) == 1
    db_session.commit()
    assert not path.exists()
    assert client.get(url).status_code == 410
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.purged")
    ).one()
    assert event.data["sha256"] == pkg.sha256


def test_purge_job_is_registered(app):
    from operations.jobs import JOBS

    assert "purge_packages" in JOBS


def test_flipped_byte_serves_nothing(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    path = package_store(app).path(pkg.storage_key)
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    path.write_bytes(bytes(blob))
    code = ask_code(client, db_session, url)
    resp = enter_code(client, url, code)
    assert resp.status_code == 500
    assert resp.headers["Content-Type"].startswith("text/html")
    assert b"PK\x03\x04" not in resp.get_data()
    db_session.refresh(pkg)
    assert pkg.download_count == 0
    assert db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.integrity_failed")
    ).one().data == {"sha256": pkg.sha256}
    # the code was not used up: once the file is restored, it still works
    path.write_bytes(
        bytes(blob[: len(blob) // 2])
        + bytes([blob[len(blob) // 2] ^ 0x01])
        + bytes(blob[len(blob) // 2 + 1 :])
    )
    assert enter_code(client, url, code).status_code == 200


def test_truncated_file_serves_nothing(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    path = package_store(app).path(pkg.storage_key)
    path.write_bytes(path.read_bytes()[:-10])
    code = ask_code(client, db_session, url)
    resp = enter_code(client, url, code)
    assert resp.status_code == 500 and b"PK\x03\x04" not in resp.get_data()


def test_stored_file_does_not_contain_the_plaintext(app, released):
    pkg = released()
    raw = package_store(app).path(pkg.storage_key).read_bytes()
    assert b"Eva de Boer" not in raw and b"eva@example.nl" not in raw and b"manifest" not in raw


@pytest.mark.parametrize("token", ["nonsense", "eyJwIjoxLCJnIjowfQ.bad.sig"])
def test_bad_tokens_are_404(client, token):
    assert client.get(f"/download/{token}").status_code == 404


def test_post_without_csrf_is_400(app, client, released):
    pkg = released()
    assert client.post(url_for_package(app, pkg), data={"action": "send"}).status_code == 400


def test_status_page_helper_lists_released_packages(app, db_session, released, make_request):
    pkg = released()
    with app.test_request_context():
        links = download_links(db_session, pkg.request, now_utc())
        from flask import render_template_string

        html = render_template_string(
            '{% from "macros/packages.html" import package_downloads %}'
            "{{ package_downloads(links) }}",
            links=links,
        )
    assert [link.package.id for link in links] == [pkg.id]
    assert links[0].url in html and "/download/" in links[0].url


def test_staff_endpoints_enforce_four_eyes(app, client, db_session, login, officers, make_request):
    req = make_request()
    first, second = officers
    login(first)
    page = client.get(f"/staff/requests/{req.reference}/packages/")
    assert page.status_code == 200
    resp = client.post(
        f"/staff/requests/{req.reference}/packages/build",
        data={"formats": ["json", "html"], "csrf_token": csrf_token(page)},
    )
    assert resp.status_code == 302
    pkg = db_session.scalars(select(Package).where(Package.request_id == req.id)).one()
    assert pkg.formats == ["json", "html"] and pkg.prepared_by_id == first.id
    page = client.get(f"/staff/requests/{req.reference}/packages/")
    resp = client.post(
        f"/staff/requests/{req.reference}/packages/{pkg.id}/release",
        data={"csrf_token": csrf_token(page)},
    )
    assert resp.status_code == 403
    db_session.refresh(pkg)
    assert pkg.status is PackageStatus.BUILT
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    login(second)
    page = client.get(f"/staff/requests/{req.reference}/packages/")
    for action, status in (
        ("release", PackageStatus.RELEASED),
        ("revoke", PackageStatus.REVOKED),
        ("reissue", PackageStatus.RELEASED),
    ):
        resp = client.post(
            f"/staff/requests/{req.reference}/packages/{pkg.id}/{action}",
            data={"csrf_token": csrf_token(page)},
        )
        assert resp.status_code == 302, action
        db_session.refresh(pkg)
        assert pkg.status is status


def test_staff_endpoints_need_staff(app, client, make_request):
    req = make_request()
    resp = client.get(f"/staff/requests/{req.reference}/packages/")
    assert resp.status_code in (302, 401)


def test_controller_sees_and_downloads_only_its_own_packages(
    app, client, db_session, login, make_org, make_user, released
):
    org_a = make_org(OrganisationKind.CONTROLLER)
    org_b = make_org(OrganisationKind.CONTROLLER)
    pkg_a = released(organisation=org_a)
    pkg_b = released(organisation=org_b)
    login(make_user(Role.CONTROLLER, organisation=org_b))
    page = client.get("/controller/packages/")
    html = page.get_data(as_text=True)
    assert pkg_b.request.reference in html and pkg_a.request.reference not in html
    token = csrf_token(page)
    resp = client.post(f"/controller/packages/{pkg_a.id}/download", data={"csrf_token": token})
    assert resp.status_code == 404
    resp = client.post(f"/controller/packages/{pkg_b.id}/download", data={"csrf_token": token})
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert verify_package(io.BytesIO(resp.get_data())).ok
    db_session.refresh(pkg_a)
    db_session.refresh(pkg_b)
    assert (pkg_a.download_count, pkg_b.download_count) == (0, 1)
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.downloaded")
    ).one()
    assert event.actor_kind == "user" and event.data["via"] == "controller"


def test_demo_subject_downloads_the_demo_package(app, client, db_session):
    from operations.demo import load_demo
    from portal.context import context_for
    from portal.delivery.demo import load_demo_package

    with app.app_context():
        load_demo(context_for(app, db_session))
        url = load_demo_package(db_session, app)
        db_session.commit()
        again = load_demo_package(db_session, app)
    assert url and again and url.startswith("http://localhost/download/")
    pkg = db_session.scalars(select(Package)).one()
    assert pkg.request.outcome.value == "fulfilled"
    path = url.removeprefix("http://localhost")
    code = ask_code(client, db_session, path)
    resp = enter_code(client, path, code)
    assert resp.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(resp.get_data()))
    assert verify_package(io.BytesIO(resp.get_data())).ok
    assert "data/package.xlsx" in archive.namelist()


def test_too_many_codes_is_429_and_sends_nothing(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    for _ in range(packages.CODES_PER_WINDOW):
        ask_code(client, db_session, url)
    page = client.get(url)
    resp = client.post(url, data={"action": "send", "csrf_token": csrf_token(page)})
    assert resp.status_code == 429
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.template == "download_code"))
    assert len(list(mails)) == packages.CODES_PER_WINDOW


def _portability(released):
    from rights.righttypes import PortabilityDetails

    return released(
        details=PortabilityDetails(
            format="json", transmit_to_name="Nieuwe Club", transmit_to_email="data@club.example"
        )
    )


def _transmit(client, url, code, **overrides):
    page = client.get(url)
    data = {
        "action": "transmit",
        "recipient_name": "Nieuwe Club",
        "recipient_email": "data@club.example",
        "transmit_code": code,
        "confirm": "y",
        "csrf_token": csrf_token(page),
        **overrides,
    }
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def test_direct_transmission_after_confirmation(app, client, db_session, released, officers):
    pkg = _portability(released)
    assert pkg.formats == ["json"]
    url = url_for_package(app, pkg)
    page = client.get(url).get_data(as_text=True)
    assert 'value="data@club.example"' in page
    code = ask_code(client, db_session, url)
    # not confirmed: nothing is sent
    resp = _transmit(client, url, code, confirm=None)
    assert resp.status_code == 422
    assert not db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "portability_transmission")
    ).first()
    resp = _transmit(client, url, code)
    assert resp.status_code == 302
    mail = db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "portability_transmission")
    ).one()
    assert mail.to_addr == "data@club.example"
    link = mail.context["url"].removeprefix("http://localhost")
    assert link.startswith("/transmission/")
    landing = client.get(link)
    assert landing.status_code == 200 and "Nieuwe Club" in landing.get_data(as_text=True)
    resp = client.post(link, data={"csrf_token": csrf_token(landing)})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(resp.get_data()))
    assert "data/package.json" in archive.namelist()
    assert verify_package(io.BytesIO(resp.get_data())).ok
    actions = set(
        db_session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == pkg.id))
    )
    assert {"package.transmitted", "package.transmission_downloaded"} <= actions
    # the link dies with the package's links
    packages.revoke_package(db_session, pkg, actor=Actor.user(officers[0].id), now=now_utc())
    db_session.commit()
    assert client.get(link).status_code == 410


def test_transmission_needs_a_valid_code_and_address(app, client, db_session, released):
    pkg = _portability(released)
    url = url_for_package(app, pkg)
    code = ask_code(client, db_session, url)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert _transmit(client, url, wrong).status_code == 422
    resp = _transmit(client, url, code, recipient_email="x@y\r\nBcc: evil@example.org")
    assert resp.status_code == 422
    assert 'name="recipient_email"' in resp.get_data(as_text=True)  # the form, with its error
    assert not db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "portability_transmission")
    ).first()


def test_access_answers_cannot_be_transmitted(app, client, db_session, released):
    pkg = released()
    url = url_for_package(app, pkg)
    assert 'name="recipient_email"' not in client.get(url).get_data(as_text=True)
    code = ask_code(client, db_session, url)
    assert _transmit(client, url, code).status_code == 404


def test_status_page_offers_released_package_and_hides_revoked(
    app, client, db_session, released, officers
):
    from portal.public.views import status_token

    pkg = released()
    with app.test_request_context():
        status = f"/status/{status_token(pkg.request)}"
    html = client.get(status).get_data(as_text=True)
    assert "Uw gegevens om te downloaden" in html
    # The token is signed with a timestamp: compare by what it carries, not by its bytes.
    (token,) = re.findall(r'href="[^"]*/download/([^"]+)"', html)
    with app.test_request_context():
        assert read_token("download", token, 3600) == {"p": pkg.id, "g": pkg.link_generation}
    packages.revoke_package(db_session, pkg, actor=Actor.user(officers[1].id), now=now_utc())
    db_session.commit()
    assert "/download/" not in client.get(status).get_data(as_text=True)


def test_case_page_links_data_and_packages_and_shows_what_waits(
    app, client, db_session, make_request, officers, login
):
    req = make_request()
    now = now_utc()
    with app.app_context():
        build_request_package(
            ops_context(app, db_session, Actor.user(officers[0].id), now),
            req,
            request_export_package(req, now=now, operator_name="Mailhuis"),
        )
    db_session.commit()
    login(officers[1])
    html = client.get(f"/staff/requests/{req.reference}").get_data(as_text=True)
    assert f"/staff/requests/{req.reference}/data" in html
    assert f"/staff/requests/{req.reference}/packages/" in html
    assert "1 pakket wacht op vrijgave door een tweede medewerker" in html  # singular


def test_a_link_the_subject_had_is_refused_once_the_controller_answers_itself(
    app, client, db_session, make_org, make_user, released
):
    """The complaint: "the controller said it answers me itself, but the old download link in
    my mail still hands out my data". Refused in words, with whom to contact, audited."""
    from rights.controllers.approvals import decide_request

    org = make_org(name="Bakkerij Zoet", contact_email="privacy@zoet.example",
                   contact_phone="020 123 4567")  # fmt: skip
    pkg = released(organisation=org)
    url = url_for_package(app, pkg)
    before = client.get(url)
    assert before.status_code == 200
    contact = make_user(Role.CONTROLLER, organisation=org)
    contact.designated = True
    decide_request(db_session, pkg.request, DecisionKind.ANSWER_OURSELVES,
                   actor=Actor.user(contact.id), now=now_utc())  # fmt: skip
    db_session.commit()
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 410
    assert "Bakkerij Zoet" in html and "privacy@zoet.example" in html and "020 123 4567" in html
    assert "beantwoordt dit verzoek zelf" in html  # the page's default language
    assert pkg.sha256 not in html
    resp = client.post(url, data={"action": "send", "csrf_token": csrf_token(before)})
    assert resp.status_code == 410
    assert not db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "download_code")
    ).all()
    refused = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.download_refused")
    ).all()
    assert len(refused) == 2 and refused[0].data["reason"] == "controller_answers"
    assert refused[0].data["organisation_id"] == org.id and refused[0].actor_kind == "subject"
    with app.test_request_context():
        assert download_links(db_session, pkg.request, now_utc()) == []


def test_a_controller_that_always_answers_itself_gets_the_package_and_the_subject_not(
    app, client, db_session, make_org, released
):
    from rights.models.org import Answering

    org = make_org(name="Sportclub Zuid", answering=Answering.CONTROLLER)
    pkg = released(language="en", organisation=org)
    assert pkg.status is PackageStatus.RELEASED
    assert not db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "package_ready")
    ).all()  # the subject is not told of a package that is not theirs
    page = client.get(url_for_package(app, pkg))
    html = page.get_data(as_text=True)
    assert page.status_code == 410 and "Sportclub Zuid beantwoordt dit verzoek zelf" in html
    assert "rechtstreeks contact op met Sportclub Zuid" in html  # no contact details recorded
    client.get("/lang/en")
    english = client.get(url_for_package(app, pkg))
    assert "Sportclub Zuid answers this request itself" in english.get_data(as_text=True)
