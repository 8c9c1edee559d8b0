"""When we are the controller (docs/incidents.md, "When we are the controller"): the AP
draft holds every Art. 33(3) item and renders as PDF; the Art. 34 decision needs its
reasons; the letters go through the outbox in Dutch and English with nothing of the
addresses in the audit data."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from operations import incident_ap
from operations.context import Context
from portal.mail import render
from rights import audit
from rights.audit import Actor
from rights.errors import Conflict, DataFileError, ValidationFailed
from rights.keys import Keyring
from rights.models.audit import AuditEvent
from rights.models.incident import Risk, SubjectsDecision
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind
from tests.rights.incidents.factory import make_incident


@pytest.fixture
def ctx(db_session, now, make_org):
    make_org(
        OrganisationKind.OPERATOR, name="Mail Succes", address="Postbus 1, Utrecht",
        contact_name="Meldpunt datalek", contact_email="privacy@mailsucces.example",
        contact_phone="030 123 45 67",
    )  # fmt: skip
    return Context(
        session=db_session, keyring=Keyring(b"k" * 32), actor=Actor.user(7), clock=lambda: now,
        language="en",
    )  # fmt: skip


@pytest.fixture
def incident(db_session, now):
    found = make_incident(db_session, now, own_data=True, risk=Risk.HIGH, cross_border=False)
    db_session.commit()
    return found


def test_the_ap_draft_holds_every_art_33_3_item(ctx, incident):
    d = incident_ap.ap_draft(ctx, incident)
    assert (d["schema"], d["version"]) == ("dsr-portal/ap-breach-notification", 1)
    assert d["time_zone"] == "Europe/Amsterdam"  # the times' zone is named, not guessed
    # (a) nature, categories and approximate numbers of people and records
    assert d["what_happened"] == incident.description
    assert d["nature"] == {
        "data_categories": ["names", "postal addresses"], "subject_categories": ["customers"],
        "approx_subjects": 1200, "approx_records": 1250,
    }  # fmt: skip
    # (b) the contact point
    assert d["controller"]["name"] == "Mail Succes"
    assert d["controller"]["contact"] == {
        "name": "Meldpunt datalek", "email": "privacy@mailsucces.example",
        "phone": "030 123 45 67",
    }  # fmt: skip
    # (c) likely consequences, (d) measures taken and proposed
    assert d["consequences"] == incident.consequences
    assert d["measures"] == {
        "taken": incident.measures_taken,
        "proposed": incident.measures_proposed,
    }
    # when, in Amsterdam time with the offset (March: +01:00)
    assert d["discovered_at"] == "2026-03-05T09:00:00+01:00"
    assert d["aware_at"] == "2026-03-05T10:00:00+01:00"
    assert d["late_notification"] == {
        "due": "2026-03-08T10:00:00+01:00",
        "beyond_72_hours": False,
        "reasons": "",
    }
    assert d["cross_border"] is False and d["risk"]["level"] == "high"
    assert d["people_informed"]["decision"] == "undecided"


def test_the_draft_downloads_as_json_and_pdf_and_is_audited(ctx, incident, db_session):
    as_json = incident_ap.download_draft(ctx, incident.id, "json")
    assert json.loads(as_json.data)["incident"]["reference"] == incident.reference
    pdf = incident_ap.download_draft(ctx, incident.id, "pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    audit.write_pending(db_session)
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.ap_draft_downloaded")
    ).all()
    assert [e.data["format"] for e in events] == ["json", "pdf"]


def test_no_draft_for_an_incident_without_our_own_data(ctx, db_session, now):
    other = make_incident(db_session, now)
    with pytest.raises(ValidationFailed):
        incident_ap.download_draft(ctx, other.id, "json")


def test_not_telling_the_people_concerned_needs_a_ground_and_reasons(ctx, incident):
    for ground, reasons in (("", "Encrypted"), ("art_34_3_a", " "), ("art_99", "x")):
        with pytest.raises(ValidationFailed):
            incident_ap.decide_subjects(
                ctx, incident.id, SubjectsDecision.NOT_REQUIRED, ground=ground, reasons=reasons
            )
    incident_ap.decide_subjects(
        ctx, incident.id, SubjectsDecision.NOT_REQUIRED, ground="art_34_3_a",
        reasons="The laptop's disk was encrypted.",
    )  # fmt: skip
    assert incident.subjects_ground == "art_34_3_a"
    with pytest.raises(Conflict):  # no letters after deciding not to tell them
        incident_ap.notify_subjects(ctx, incident.id, ["a@example.nl"], "nl")


def test_letters_are_queued_in_dutch_and_english_and_the_audit_holds_counts(
    ctx, incident, db_session, app
):
    incident_ap.decide_subjects(ctx, incident.id, SubjectsDecision.NOTIFY, ground="", reasons="")
    listed = (
        b"Naam;E-mailadres\nPiet;piet@example.nl\nKlaas;KLAAS@example.nl\nPiet;piet@example.nl\n"
    )
    dutch = incident_ap.addresses_from_file(io.BytesIO(listed), "betrokkenen.csv")
    assert dutch == ["piet@example.nl", "klaas@example.nl"]
    assert incident_ap.notify_subjects(ctx, incident.id, dutch, "nl") == 2
    assert incident_ap.notify_subjects(ctx, incident.id, ["john@example.com"], "en") == 1
    mails = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(m.to_addr, m.language, m.template) for m in mails] == [
        ("piet@example.nl", "nl", "incident_subjects"),
        ("klaas@example.nl", "nl", "incident_subjects"),
        ("john@example.com", "en", "incident_subjects"),
    ]
    assert incident.subjects_notified_at is not None
    audit.write_pending(db_session)
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "incident")
    ).all()
    dumped = json.dumps([e.data for e in events])
    assert "example" not in dumped and "Piet" not in dumped
    sent = [e.data for e in events if e.action == "incident.subjects_notified"]
    assert sent == [{"language": "nl", "count": 2}, {"language": "en", "count": 1}]
    with app.app_context():
        nl, en = render(db_session, mails[0]), render(db_session, mails[2])
    assert nl["Subject"] == "Een beveiligingsincident heeft uw persoonsgegevens geraakt"
    assert "Geachte heer, mevrouw," in nl.get_content()
    assert en["Subject"] == "A security incident affected your personal data"
    assert incident.description in en.get_content()
    assert "privacy@mailsucces.example" in en.get_content()


def test_bad_address_lists_are_refused(ctx, incident):
    incident_ap.decide_subjects(ctx, incident.id, SubjectsDecision.NOTIFY, ground="", reasons="")
    with pytest.raises(ValidationFailed):
        incident_ap.own_data.parse_addresses(["piet@example.nl, not-an-address"])
    with pytest.raises(ValidationFailed):
        incident_ap.own_data.parse_addresses(["  "])
    with pytest.raises(DataFileError):
        incident_ap.addresses_from_file(io.BytesIO(b"Naam\nPiet\n"), "x.csv")
