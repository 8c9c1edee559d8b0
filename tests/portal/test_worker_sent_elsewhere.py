"""A mail another worker sent after this one's lease ran out is not sent a second time,
and the pass goes on with the rest (sent is a final status)."""

from __future__ import annotations

from datetime import UTC, datetime

from portal import worker
from rights.models.mail import MailStatus, OutboxMail
from rights.models.request import Channel
from rights.outbox import claim_due, mark_sent, queue_mail
from tests.smtp import smtp_server


def test_a_mail_sent_by_another_worker_is_skipped(app, db_session, make_request, monkeypatch):
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")
    req = make_request(channel=Channel.EMAIL)
    now = datetime.now(UTC)
    for to in ("first@example.nl", "second@example.nl"):
        queue_mail(
            db_session, to=to, template="acknowledgement", language="nl", now=now,
            request_id=req.id,
        )  # fmt: skip
    db_session.commit()

    def claim_then_the_other_worker_sends_the_first(session, **kw):
        claimed = claim_due(session, **kw)
        first = next(m for m in claimed if m.to_addr == "first@example.nl")
        mark_sent(first, now=now, message_id="<elsewhere@example>")
        return claimed

    monkeypatch.setattr(worker, "claim_due", claim_then_the_other_worker_sends_the_first)
    with smtp_server() as inbox, app.app_context():
        app.config["SMTP_PORT"] = inbox.port
        result = worker.send_pending(app)
    assert result.sent == 1 and result.failed == 0
    assert [m.envelope_to for m in inbox.messages] == [["second@example.nl"]]
    first = db_session.query(OutboxMail).filter_by(to_addr="first@example.nl").one()
    db_session.refresh(first)
    assert first.status is MailStatus.SENT and first.message_id == "<elsewhere@example>"
