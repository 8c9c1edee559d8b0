"""Filing requests through the real app: every right, linked requests, double submit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.request import RequestState, RightsRequest
from rights.righttypes import RightType
from tests.public.flow import submit


@pytest.fixture
def operator(make_org):
    from rights.models.org import OrganisationKind

    return make_org(OrganisationKind.OPERATOR, name="Verwerker BV", slug="verwerker")


@pytest.mark.parametrize("right", [r.value for r in RightType])
def test_every_right_happy_path(client, db_session, operator, right):
    resp = submit(client, [right])
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.reference in html
    assert req.right is RightType(right)
    assert req.state is RequestState.AWAITING_VERIFICATION
    assert req.organisation_id == operator.id
    assert req.requester_customer_number == "K-123"
    assert req.due.strftime("%Y") in html
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.request_id == req.id)).all()
    assert sorted(m.template for m in mails) == ["acknowledgement", "verify_email"]
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.request_id == req.id)
    ).all()
    assert "request.received" in actions
