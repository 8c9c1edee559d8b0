"""The daily audit-anchor mail (issue 16): once an Amsterdam day, to the configured address,
with the head as ``dsr-portal audit anchor`` prints it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from operations.jobs import JOBS, audit_anchor_mail
from portal.config import problems
from portal.mail import render
from rights import audit
from rights.models.mail import OutboxMail
from tests.helpers import ops_context

MORNING = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # 07:30 in Amsterdam


def _mails(db_session) -> list[OutboxMail]:  # type: ignore[no-untyped-def]
    return list(db_session.scalars(select(OutboxMail).where(OutboxMail.template == "audit_anchor")))


def test_the_anchor_goes_out_once_a_day_to_the_configured_address(app, db_session) -> None:  # type: ignore[no-untyped-def]
    assert JOBS["audit_anchor_mail"] is audit_anchor_mail
    assert audit_anchor_mail(ops_context(app, db_session, now=MORNING)) == 0  # not configured
    app.config["AUDIT_ANCHOR_EMAIL"] = "anchors@desk.example"
    ctx = ops_context(app, db_session, now=MORNING)
    head = audit.anchor(db_session)
    assert audit_anchor_mail(ctx) == 1
    assert audit_anchor_mail(ops_context(app, db_session, now=MORNING.replace(hour=21))) == 0
    # 23:30 UTC is already the next day in Amsterdam.
    late = MORNING.replace(hour=23)
    assert audit_anchor_mail(ops_context(app, db_session, now=late)) == 1
    first, second = _mails(db_session)
    assert second.context["seq"] > first.context["seq"]  # the first mail's event counts
    assert first.to_addr == "anchors@desk.example" and first.context["anchor"] == str(head)
    with app.test_request_context():
        msg = render(db_session, first)
    body = msg.get_content()
    assert f"dsr-portal audit verify --anchor {head}" in body
    assert msg["Subject"] == "Auditanker van 1 december 2026"
    assert "UTC" not in body and "06:30" not in body


def test_a_mangled_anchor_address_is_a_configuration_problem() -> None:
    assert any("AUDIT_ANCHOR_EMAIL" in p for p in problems({"AUDIT_ANCHOR_EMAIL": "nobody"}))
    assert not any("AUDIT_ANCHOR_EMAIL" in p for p in problems({"AUDIT_ANCHOR_EMAIL": "a@b.nl"}))
