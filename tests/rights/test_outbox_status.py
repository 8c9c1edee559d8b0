"""Outbox mail statuses as data: pending until sent or given up on (dead); both final."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from rights import outbox
from rights.errors import InvalidTransition
from rights.models.mail import MailStatus
from rights.outbox import MAIL_STATUS, MAX_ATTEMPTS, mark_failed, mark_sent, queue_mail

M = MailStatus
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ALLOWED = {(M.PENDING, M.PENDING), (M.PENDING, M.SENT), (M.PENDING, M.DEAD)}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(M, M)))
def test_every_pair_is_allowed_or_raises(current, target):
    if (current, target) in ALLOWED:
        assert MAIL_STATUS.move(current, target) is target
        return
    with pytest.raises(InvalidTransition) as err:
        MAIL_STATUS.move(current, target)
    assert err.value.http_status == 409


def _mail(db_session):
    return queue_mail(
        db_session,
        to="eva@example.nl",
        template="download_code",
        language="nl",
        now=NOW,
        context={"code": "123456", "minutes": 10},
    )


def test_a_sent_mail_cannot_be_sent_or_failed_again(db_session):
    mail = _mail(db_session)
    mark_sent(mail, now=NOW, message_id="<1@example>")
    assert mail.status is M.SENT and mail.attempts == 1 and "code" not in mail.context
    with pytest.raises(InvalidTransition):
        mark_sent(mail, now=NOW, message_id="<2@example>")
    with pytest.raises(InvalidTransition):
        mark_failed(mail, now=NOW, error="SMTPServerDisconnected")
    assert mail.attempts == 1 and mail.message_id == "<1@example>" and mail.last_error is None


def test_failures_retry_until_the_mail_is_given_up_on(db_session):
    mail = _mail(db_session)
    for attempt in range(1, MAX_ATTEMPTS):
        mark_failed(mail, now=NOW, error="ConnectionRefusedError")
        assert mail.status is M.PENDING and mail.attempts == attempt
        assert mail.next_attempt_at == NOW + outbox.backoff(attempt)
    mark_failed(mail, now=NOW, error="ConnectionRefusedError")
    assert mail.status is M.DEAD and mail.attempts == MAX_ATTEMPTS
    assert "code" not in mail.context
    with pytest.raises(InvalidTransition):
        mark_sent(mail, now=NOW)
    with pytest.raises(InvalidTransition):
        mark_failed(mail, now=NOW, error="again")
    assert mail.status is M.DEAD and mail.attempts == MAX_ATTEMPTS
