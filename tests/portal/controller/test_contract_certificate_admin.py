"""The administrator downloads the end-of-contract certificate from the organisation's page
(PDF and JSON), audited as the contacts' downloads are; an officer is refused in words
(docs/controllers.md, "End of contract")."""

from __future__ import annotations

from sqlalchemy import select

from rights.models.audit import AuditEvent
from rights.models.org import Role
from rights.models.request import RequestState
from tests.portal.controller.results_world import build, freeze
from tests.portal.controller.test_contract_end import _returned


def _ended(app, db_session, make_org, make_user, make_request, now, tmp_path):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    world.a.request.state = RequestState.CLOSED
    db_session.commit()
    _returned(db_session, world.a.org, now)
    args = ["organisation", "end-contract", "--organisation", world.a.org.slug, "--confirm",
            "--out", str(tmp_path)]  # fmt: skip
    done = app.test_cli_runner().invoke(args=args)
    assert done.exit_code == 0, done.output
    return world


def test_the_admin_downloads_the_certificate_from_the_organisation_page(
    app, client, login, db_session, make_org, make_user, make_request, now, tmp_path
):
    """The complaint: "the controller lost its certificate and I had to ask someone with a
    shell to write it again"."""
    world = _ended(app, db_session, make_org, make_user, make_request, now, tmp_path)
    org, admin = world.a.org, make_user(Role.ADMIN)
    login(admin)
    page = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    base = f"/admin/organisations/{org.id}/contract-end"
    assert f'href="{base}.pdf"' in page and f'href="{base}.json"' in page
    assert "Einde van de overeenkomst" in page

    data = client.get(f"{base}.json")
    assert data.status_code == 200 and data.mimetype == "application/json"
    assert "attachment" in data.headers["Content-Disposition"]
    assert data.get_json()["type"] == "contract_end" and data.get_json()["records_deleted"] == 3
    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.downloaded")
    ).all()
    assert [(e.data["format"], e.actor_kind, e.actor_id) for e in events] == [
        ("json", "user", admin.id),
        ("pdf", "user", admin.id),
    ]
    assert {(e.object_type, e.object_id) for e in events} == {("contract_end", org.id)}

    other = world.b.org  # its contract did not end: no section, nothing to download
    assert "contract-end" not in client.get(f"/admin/organisations/{other.id}").get_data(
        as_text=True
    )
    assert client.get(f"/admin/organisations/{other.id}/contract-end.pdf").status_code == 404


def test_an_officer_is_refused_in_words_and_a_contact_sees_no_such_page(
    app, client, login, db_session, make_org, make_user, make_request, now, tmp_path
):
    world = _ended(app, db_session, make_org, make_user, make_request, now, tmp_path)
    base = f"/admin/organisations/{world.a.org.id}/contract-end"
    login(world.officer)
    refused = client.get(f"{base}.pdf")
    assert refused.status_code == 403
    assert "Alleen een beheerder kan" in refused.get_data(as_text=True)
    client.get("/lang/en")
    assert "Only an administrator can" in client.get(f"{base}.json").get_data(as_text=True)
    login(world.a.contact)
    assert client.get(f"{base}.json").status_code == 404
    downloads = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.downloaded")
    ).all()
    assert downloads == []
