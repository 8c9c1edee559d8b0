"""The second officer's approvals list (/staff/approvals): an erasure in a controller's data
shows as ready only once the controller approved it; before that it is listed apart as
waiting for the controller, in words, and the menu's count leaves it out; a rejected one is
gone."""

from __future__ import annotations

from rights.approvals import ApprovalKind, pending_approvals, pending_count
from rights.controllers.approvals import decide_action
from rights.models.controller import DecisionKind


def _sections(client):
    html = client.get("/staff/approvals").get_data(as_text=True)
    ready, _, waiting = html.partition('id="waiting-for-controller"')
    return ready, waiting


def test_an_unapproved_erasure_waits_for_the_controller_not_for_the_officer(
    client, login, db_session, world, erase, now
):
    """The complaint: "the approvals list told me to execute an erasure, and executing it
    said the controller had not approved it"."""
    login(world.second_officer)
    ready, waiting = _sections(client)
    ref = world.request.reference
    assert ref not in ready and "Review and execute" not in ready
    assert "Wacht op de verwerkingsverantwoordelijke" in waiting
    assert "nog niet goedgekeurd door de verwerkingsverantwoordelijke" in waiting
    assert ref in waiting and "Bakkerij Zoet" in waiting
    assert pending_count(db_session) == 0
    [item] = [i for i in pending_approvals(db_session) if i.kind is ApprovalKind.ERASURE]
    assert item.waiting and item.organisation == "Bakkerij Zoet"

    decide_action(db_session, erase, DecisionKind.APPROVE, actor=world.actor(world.contact),
                  now=now)  # fmt: skip
    db_session.commit()
    ready, waiting = _sections(client)
    assert ref in ready and not waiting
    assert pending_count(db_session) == 1

    decide_action(db_session, erase, DecisionKind.REJECT, actor=world.actor(world.contact),
                  now=now, reason="Wettelijke bewaarplicht")  # fmt: skip
    db_session.commit()
    ready, waiting = _sections(client)
    assert ref not in ready and not waiting  # rejected: it never runs, nothing waits
    assert pending_count(db_session) == 0


def test_the_waiting_section_in_english(client, login, db_session, world, erase):
    login(world.second_officer)
    client.get("/lang/en")
    _, waiting = _sections(client)
    assert "Waiting for the controller" in waiting
    assert "not yet approved by the controller" in waiting
