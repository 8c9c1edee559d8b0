"""Every audit action has words, and the case page's timeline speaks in them: runs grouped,
each line a sentence with its actor, Amsterdam time with the zone named, the full record
one click away (docs/architecture.md, "Texts and labels")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from portal.audit_labels import COUNTED, LABELS
from rights import audit
from rights.audit import SYSTEM, Actor
from rights.models.org import Role
from tests.audit_actions import audit_actions


def test_every_recorded_audit_action_has_a_label():
    actions, unknown = audit_actions()
    assert not unknown, f"audit.record calls whose action cannot be read: {unknown}"
    assert len(actions) > 90  # the collector really finds the call sites
    assert {"sources.match_confirmed", "controller.action_approved", "auth.login"} <= set(actions)
    missing = {a: where for a, where in actions.items() if a not in LABELS}
    assert not missing, f"audit actions without a label in portal/audit_labels.py: {missing}"
    assert set(COUNTED) <= set(LABELS)


def test_the_timeline_groups_runs_and_names_actor_and_zone(
    app, client, login, make_user, make_request, db_session
):
    officer = make_user(Role.OFFICER, name="Olga Officier")
    r = make_request()
    start = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam, winter time
    for i in range(38):
        audit.record(
            db_session, "sources.match_confirmed", actor=Actor.user(officer.id),
            now=start + timedelta(seconds=i), request_id=r.id,
            data={"source_id": i % 3 + 1, "matched_by": "email"},
        )  # fmt: skip
    audit.record(
        db_session, "request.transition", actor=SYSTEM, now=start + timedelta(minutes=1),
        request_id=r.id, data={"from": "open", "to": "in_progress"},
    )  # fmt: skip
    db_session.commit()
    login(officer)
    client.get("/lang/en")
    html = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    timeline = html[html.index('id="h-timeline"') :]
    text = re.sub(r"<[^>]+>", " ", timeline)
    text = re.sub(r"\s+", " ", text)
    assert "38 matches confirmed in 3 sources, by Olga Officier." in text
    assert "State changed from Open to In progress, by the system." in text
    assert "Request received, by the system." in text
    assert "5 Mar 2026 11:00 CET" in text
    assert "sources.match_confirmed" not in timeline and "in_progress" not in text
    # the full record of the group: 38 lines inside one <details>
    group = timeline[timeline.index("<details>") : timeline.index("</details>")]
    assert group.count("Match confirmed, by Olga Officier.") == 38

    client.get("/lang/nl")
    html = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="h-timeline"') :]))
    assert "38 treffers bevestigd in 3 bronnen, door Olga Officier." in text
    assert "door het systeem." in text


def test_views_of_the_case_are_counted_per_officer_and_the_page_does_not_grow(
    app, client, login, make_user, make_request, db_session
):
    """Every view is audited, but the timeline folds them: one line per viewer, at the last
    view, with how often and since when; the other events keep their place and grouping."""
    from sqlalchemy import func, select

    from rights.models.audit import AuditEvent

    olga = make_user(Role.OFFICER, name="Olga Officier")
    r = make_request()
    start = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam
    for i in range(5):
        audit.record(db_session, "case.viewed", actor=Actor.user(olga.id),
                     now=start + timedelta(minutes=i), request_id=r.id)  # fmt: skip
    audit.record(db_session, "request.assigned", actor=Actor.user(olga.id),
                 now=start + timedelta(minutes=10), request_id=r.id)  # fmt: skip
    db_session.flush()
    login(olga)
    client.get("/lang/en")
    url = f"/staff/requests/{r.reference}"

    lines: list[int] = []

    def timeline_text() -> str:
        html = client.get(url).get_data(as_text=True)
        timeline = html[
            html.index('id="h-timeline"') : html.index("</section>", html.index('id="h-timeline"'))
        ]
        lines.append(timeline.count("<li>"))
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", timeline))

    first = timeline_text()  # the 6th view (this GET) is recorded before the page is read
    assert "Case opened 6 times, by Olga Officier, the first time on 5 Mar 2026 11:00 CET." in first
    assert first.count("Case opened") == 1
    assert first.index("Request received") < first.index("Case opened")
    for _ in range(5):
        timeline_text()
    later = timeline_text()
    assert "Case opened 12 times, by Olga Officier" in later
    assert lines[-1] == lines[0] == 3  # received, the views, assigned: twice the views, same lines
    # the audit trail keeps every single view
    views = select(func.count()).where(AuditEvent.request_id == r.id,
                                       AuditEvent.action == "case.viewed")  # fmt: skip
    assert db_session.scalar(views) == 12

    client.get("/lang/nl")
    assert "Dossier 13 keer geopend, door Olga Officier, voor het eerst op 5 mrt" in (
        timeline_text()
    )


def test_a_single_view_reads_as_one_plain_line(app, client, login, make_user, make_request):
    olga = make_user(Role.OFFICER, name="Olga Officier")
    r = make_request()
    login(olga)
    client.get("/lang/en")
    html = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index('id="h-timeline"') :]))
    assert "Case opened, by Olga Officier." in text and "first time" not in text
