"""Through the staff data page: executing an action on a controller's data without its
approval shows the refusal in words and changes nothing; with it, a second officer
executes."""

from __future__ import annotations

from sqlalchemy import select

from rights.controllers.approvals import decide_action
from rights.models.audit import AuditEvent
from rights.models.controller import DecisionKind
from rights.models.source import ActionStatus
from tests.helpers import csrf_token
from tests.rights.controllers.conftest import records


def _execute(client, world, erase):
    page_url = f"/staff/requests/{world.request.reference}/data"
    page = client.get(page_url)
    assert page.status_code == 200
    return client.post(
        f"{page_url}/actions/{erase.id}/execute",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )


def test_execute_without_the_controllers_approval_is_refused_in_words(
    client, login, db_session, world, erase, now
):
    count = records(db_session)
    login(world.second_officer)
    resp = _execute(client, world, erase)
    html = resp.get_data(as_text=True)
    assert resp.status_code < 500
    assert "flash-error" in html
    assert "verwerkingsverantwoordelijke" in html or "controller" in html.lower()
    assert "controller_approval" not in html
    db_session.expire_all()
    assert erase.status is ActionStatus.PREPARED and records(db_session) == count
    assert not db_session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "source_action.executed")
    )

    decide_action(db_session, erase, DecisionKind.APPROVE, actor=world.actor(world.contact),
                  now=now)  # fmt: skip
    db_session.commit()
    resp = _execute(client, world, erase)
    assert resp.status_code == 200 and "flash-error" not in resp.get_data(as_text=True)
    db_session.expire_all()
    assert erase.status is ActionStatus.EXECUTED and records(db_session) == count - 1
