"""Organisation settings for admins (docs/controllers.md, "Organisations as controllers"):
the list, a controller's terms with errors in words, designated contacts on the user page
and from the command line; every change audited."""

from __future__ import annotations

from sqlalchemy import select

from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.org import Answering, OrganisationKind, Role, User
from tests.helpers import csrf_token

TERMS = {
    "dpa_reference": "VWO-2025-014",
    "contact_name": "Jan Jansen",
    "contact_email": "contact@bakkerij-jansen.example",
    "contact_phone": "010 123 45 67",
    "address": "Dorpsstraat 5\r\n1234 AB Ons Dorp",
    "website": "https://bakkerij-jansen.example",
    "forward_within_days": "2",
    "auto_forward": "y",
    "answering": "controller",
    "sub_processors": "Drukkerij Noord B.V. | Nederland | drukken\r\n\r\nHosting B.V. | Ierland | hosting",
    "data_file_retention_days": "28",
    "breach_notice_hours": "18",
}


def _events(db_session, action):
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _post(client, org, **changes):
    page = client.get(f"/admin/organisations/{org.id}")
    assert page.status_code == 200
    data = {**TERMS, **changes, "csrf_token": csrf_token(page)}
    return client.post(
        f"/admin/organisations/{org.id}/terms",
        data={k: v for k, v in data.items() if v is not None},
    )


def test_an_admin_lists_and_edits_a_controllers_terms(
    client, login, make_user, make_org, db_session
):
    operator = make_org(OrganisationKind.OPERATOR, name="Mailhuis")
    org = make_org(name="Bakkerij Jansen")
    login(make_user(Role.ADMIN))
    listing = client.get("/admin/organisations/").get_data(as_text=True)
    assert "Bakkerij Jansen" in listing and "Mailhuis" in listing
    assert "nog niemand kan beslissen" in listing  # no designated contact yet, in words
    assert client.get(f"/admin/organisations/{operator.id}").status_code == 404
    resp = _post(client, org)
    assert resp.status_code == 302
    db_session.expire_all()
    assert org.dpa_reference == "VWO-2025-014" and org.auto_forward is True
    assert org.answering is Answering.CONTROLLER and org.forward_within_days == 2
    assert org.address == "Dorpsstraat 5\n1234 AB Ons Dorp"
    assert org.data_file_retention_days == 28
    assert org.breach_notice_hours == 18
    assert org.sub_processors == [
        {"name": "Drukkerij Noord B.V.", "country": "Nederland", "purpose": "drukken"},
        {"name": "Hosting B.V.", "country": "Ierland", "purpose": "hosting"},
    ]
    (event,) = _events(db_session, "organisation.terms_changed")
    assert "sub_processors" in event.data["fields"] and "answering" in event.data["fields"]
    assert "breach_notice_hours" in event.data["fields"]
    page = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "Hosting B.V. | Ierland | hosting" in page
    # Removing a row is deleting its line; only the changed field is audited.
    assert _post(client, org, sub_processors="Hosting B.V. | Ierland | hosting").status_code == 302
    db_session.expire_all()
    assert [s["name"] for s in org.sub_processors] == ["Hosting B.V."]
    assert _events(db_session, "organisation.terms_changed")[-1].data["fields"] == [
        "sub_processors"
    ]


def test_bad_terms_are_refused_in_words_and_change_nothing(
    client, login, make_user, make_org, db_session
):
    org = make_org(name="Bakkerij Jansen")
    login(make_user(Role.ADMIN))
    cases = (
        (
            {"sub_processors": "Goed B.V. | NL | post\r\nalleen een naam"},
            "Regel 2: schrijf naam | land | doel",
        ),
        ({"forward_within_days": "11"}, "Vul 0 tot 10 werkdagen in."),
        ({"forward_within_days": "twee"}, "Vul een heel aantal dagen in."),
        ({"data_file_retention_days": "0"}, "Vul 1 tot 365 dagen in."),
        ({"data_file_retention_days": "99999999999999999999"}, "Vul een heel aantal dagen in."),
        ({"website": "bakkerij.example"}, "Een webadres begint met https://."),
        ({"breach_notice_hours": "0"}, "Vul 1 tot 72 uur in."),
        ({"breach_notice_hours": "73"}, "Vul 1 tot 72 uur in."),
        ({"breach_notice_hours": "een dag"}, "Vul een heel aantal uren in."),
        ({"answering": "nobody"}, "error-message"),
    )
    for changes, words in cases:
        resp = _post(client, org, **changes)
        assert resp.status_code == 422, changes
        assert words in resp.get_data(as_text=True), changes
    db_session.expire_all()
    assert org.dpa_reference == "" and org.sub_processors == [] and org.forward_within_days == 1
    assert org.breach_notice_hours == 24
    assert _events(db_session, "organisation.terms_changed") == []


def test_only_admins_see_the_organisation_pages(client, login, make_user, make_org):
    org = make_org()
    login(make_user(Role.OFFICER))
    assert client.get("/admin/organisations/").status_code == 404
    assert client.get(f"/admin/organisations/{org.id}").status_code == 404


def test_the_designated_flag_is_set_on_the_user_page_audited_and_mailed(
    client, login, make_user, make_org, db_session
):
    org = make_org(name="Bakkerij Jansen")
    contact = make_user(Role.CONTROLLER, organisation=org, email="jan@bakkerij.example")
    officer = make_user(Role.OFFICER)
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/users/{contact.id}")
    assert "Aangewezen contactpersoon" in page.get_data(as_text=True)
    resp = client.post(f"/admin/users/{contact.id}/designated",
                       data={"csrf_token": csrf_token(page), "designated": "y"})  # fmt: skip
    assert resp.status_code == 302
    db_session.expire_all()
    assert contact.designated is True
    (event,) = _events(db_session, "user.designation_changed")
    assert event.object_id == contact.id and event.data["designated"] is True
    mail = db_session.scalar(select(OutboxMail).where(OutboxMail.template == "designation_changed"))
    assert mail is not None and mail.to_addr == "jan@bakkerij.example"
    listing = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "aangewezen contactpersoon" in listing
    # Unchecked: designation off again.
    resp = client.post(
        f"/admin/users/{contact.id}/designated", data={"csrf_token": csrf_token(page)}
    )
    db_session.expire_all()
    assert contact.designated is False
    # An officer is no controller contact: refused, nothing stored.
    assert "Aangewezen contactpersoon" not in client.get(f"/admin/users/{officer.id}").get_data(
        as_text=True
    )
    client.post(
        f"/admin/users/{officer.id}/designated",
        data={"csrf_token": csrf_token(page), "designated": "y"},
    )
    db_session.expire_all()
    assert officer.designated is False
    assert len(_events(db_session, "user.designation_changed")) == 2


def test_moving_a_contact_to_another_controller_ends_the_designation(
    app, db_session, make_user, make_org
):
    from datetime import UTC, datetime

    from rights import administration
    from rights.audit import SYSTEM

    first, second = make_org(), make_org()
    contact = make_user(Role.CONTROLLER, organisation=first)
    contact.designated = True
    administration.change_role(db_session, contact, Role.CONTROLLER, organisation=second,
                               now=datetime.now(UTC), actor=SYSTEM)  # fmt: skip
    assert contact.designated is False


def test_organisation_commands_list_and_designate(app, db_session, make_user, make_org):
    make_org(OrganisationKind.OPERATOR, slug="operator", name="Mailhuis")
    org = make_org(slug="bakkerij-jansen", name="Bakkerij Jansen")
    contact = make_user(Role.CONTROLLER, organisation=org, email="jan@bakkerij.example")
    make_user(Role.OFFICER, email="olga@example.org")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["organisation", "list"])
    assert listed.exit_code == 0 and listed.output.splitlines() == ["operator", "bakkerij-jansen"]
    on = runner.invoke(args=["organisation", "designate", "--email", "JAN@bakkerij.example"])
    assert on.exit_code == 0, on.output
    db_session.expire_all()
    assert db_session.get(User, contact.id).designated is True
    off = runner.invoke(args=["organisation", "designate", "--email", contact.email, "--off"])
    assert off.exit_code == 0
    db_session.expire_all()
    assert db_session.get(User, contact.id).designated is False
    refused = runner.invoke(args=["organisation", "designate", "--email", "olga@example.org"])
    assert refused.exit_code != 0 and "not a controller contact" in refused.output
    assert runner.invoke(args=["organisation", "designate", "--email", "x@y.z"]).exit_code != 0
