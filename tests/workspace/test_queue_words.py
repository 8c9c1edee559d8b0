"""The queue in words (issue 14): a consent withdrawal without a usable identifier is flagged
as a withdrawal, not as an objection."""

from __future__ import annotations

from datetime import UTC, datetime

from rights.models.org import Role
from rights.righttypes import ObjectionDetails, WithdrawConsentDetails


def test_a_withdrawal_is_flagged_as_a_withdrawal(app, client, login, make_user, make_request,
                                                 db_session):  # fmt: skip
    app.config["CLOCK"] = lambda: datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    withdrawal = make_request(WithdrawConsentDetails(which_consent="nieuwsbrief"))
    objection = make_request(ObjectionDetails())
    for r in (withdrawal, objection):
        r.review_flags = ["suppression_without_identifier"]
    db_session.commit()
    login(make_user(Role.OFFICER))
    client.get("/lang/en")
    html = client.get("/staff/").get_data(as_text=True)
    rows = {ref: html[html.index(ref) : html.index("</tr>", html.index(ref))]
            for ref in (withdrawal.reference, objection.reference)}  # fmt: skip
    assert "Consent withdrawn without a usable identifier" in rows[withdrawal.reference]
    assert "Marketing objection" not in rows[withdrawal.reference]
    assert "Marketing objection without a usable identifier" in rows[objection.reference]
