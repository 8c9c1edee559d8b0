"""A built package of a controller's request waits for the controller before the second
officer can release it (docs/controllers.md, "Approvals and the gate"): the approvals page
lists it apart, the menu's count and the queue's "awaiting approval" filter leave it out, the
staff package page says so and offers no release, and the release itself is refused in the
domain. The same filter leaves out an erasure the controller holds."""

from __future__ import annotations

import pytest

from operations.packages import build_request_package, request_export_package
from rights import packages
from rights.approvals import ApprovalKind, pending_approvals, pending_count
from rights.controllers.approvals import decide_action, decide_package
from rights.errors import PermissionDenied
from rights.models.controller import DecisionKind
from rights.models.package import PackageStatus
from tests.helpers import csrf_token, ops_context


@pytest.fixture
def package(app, db_session, world, now):
    """The copy of Kees's data, built by the first officer (the pages' clock at ``now``)."""
    app.config["CLOCK"] = lambda: now
    with app.app_context():
        built = build_request_package(
            ops_context(app, db_session, world.actor(world.officer), now),
            world.request,
            request_export_package(world.request, now=now, operator_name="Mailhuis"),
        )
    db_session.commit()
    return built


def _sections(client):
    html = client.get("/staff/approvals").get_data(as_text=True)
    ready, _, waiting = html.partition('id="waiting-for-controller"')
    return ready, waiting


def _in_filter(client, reference):
    page = client.get("/staff/?waiting=awaiting_approval")
    assert page.status_code == 200
    return reference in page.get_data(as_text=True)


def _packages_page(client, world):
    page = client.get(f"/staff/requests/{world.request.reference}/packages/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_package_the_controller_has_not_approved_waits_for_the_controller(
    client, login, db_session, world, package, now
):
    """The complaint: "the approvals list told me to release the copy, and releasing it said
    the controller had not approved it"."""
    login(world.second_officer)
    ref = world.request.reference
    ready, waiting = _sections(client)
    assert ref not in ready and "Review and release" not in ready and "Vrijgeven" not in ready
    assert ref in waiting and "Bakkerij Zoet" in waiting
    assert "Exportpakket, nog niet goedgekeurd door de verwerkingsverantwoordelijke" in waiting
    assert pending_count(db_session) == 0
    [item] = [i for i in pending_approvals(db_session) if i.kind is ApprovalKind.PACKAGE]
    assert item.waiting and item.organisation == "Bakkerij Zoet"
    assert not _in_filter(client, ref)
    html = _packages_page(client, world)
    assert "wacht op de goedkeuring van de verwerkingsverantwoordelijke" in html
    assert f"/{package.id}/release" not in html

    with pytest.raises(PermissionDenied) as refused:  # the domain refuses it too
        packages.release_package(db_session, package, actor=world.actor(world.second_officer),
                                 now=now)  # fmt: skip
    assert refused.value.code == "controller_approval"
    db_session.rollback()
    url = f"/staff/requests/{ref}/packages/"
    resp = client.post(
        f"{url}{package.id}/release", data={"csrf_token": csrf_token(client.get(url))}
    )
    assert resp.status_code == 403 and "goedgekeurd" in resp.get_data(as_text=True)
    db_session.refresh(package)
    assert package.status is PackageStatus.BUILT

    decide_package(db_session, package, DecisionKind.APPROVE, actor=world.actor(world.contact),
                   now=now)  # fmt: skip
    db_session.commit()
    ready, waiting = _sections(client)
    assert ref in ready and not waiting
    assert pending_count(db_session) == 1 and _in_filter(client, ref)
    assert f"/{package.id}/release" in _packages_page(client, world)

    decide_package(db_session, package, DecisionKind.REJECT, actor=world.actor(world.contact),
                   now=now, reason="Niet volledig")  # fmt: skip
    db_session.commit()
    ready, waiting = _sections(client)
    assert ref not in ready and not waiting  # rejected: never released, nothing waits
    assert pending_count(db_session) == 0 and not _in_filter(client, ref)


def test_a_package_of_a_controller_that_answers_itself_needs_no_approval(
    client, login, db_session, world, package
):
    world.request.controller_answers = True
    db_session.commit()
    login(world.second_officer)
    ready, waiting = _sections(client)
    assert world.request.reference in ready and not waiting
    assert pending_count(db_session) == 1


def test_the_awaiting_approval_filter_leaves_out_an_erasure_the_controller_holds(
    client, login, db_session, world, erase, now
):
    """The queue's filter and the menu's count agree with the approvals page."""
    login(world.second_officer)
    ref = world.request.reference
    assert not _in_filter(client, ref) and pending_count(db_session) == 0
    decide_action(db_session, erase, DecisionKind.APPROVE, actor=world.actor(world.contact),
                  now=now)  # fmt: skip
    db_session.commit()
    assert _in_filter(client, ref) and pending_count(db_session) == 1
    ready, _ = _sections(client)
    assert ref in ready


def _case_data_section(client, world, menu_count):
    """The case page's data section; the menu's approvals count (from the case's overview
    statement) checked against ``menu_count`` on the way."""
    page = client.get(f"/staff/requests/{world.request.reference}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'Goedkeuringen <span class="count">({menu_count})</span>' in html
    return html[html.index('id="h-data"') :]


def test_the_case_page_says_a_held_package_waits_for_the_controller(
    client, login, db_session, world, package, now
):
    """The complaint: "the case says release, the release button is refused". The case page
    agrees with the approvals page and the release check (``package_hold``)."""
    login(world.second_officer)
    section = _case_data_section(client, world, menu_count=0)
    assert "1 pakket wacht op de goedkeuring van de verwerkingsverantwoordelijke" in section
    assert "vrijgave door een tweede medewerker" not in section

    decide_package(db_session, package, DecisionKind.APPROVE, actor=world.actor(world.contact),
                   now=now)  # fmt: skip
    db_session.commit()
    section = _case_data_section(client, world, menu_count=1)
    assert "1 pakket wacht op vrijgave door een tweede medewerker" in section
    assert "goedkeuring van de verwerkingsverantwoordelijke" not in section

    decide_package(db_session, package, DecisionKind.REJECT, actor=world.actor(world.contact),
                   now=now, reason="Niet volledig")  # fmt: skip
    db_session.commit()
    section = _case_data_section(client, world, menu_count=0)  # rejected: nothing waits
    assert "vrijgave door een tweede medewerker" not in section
    assert "goedkeuring van de verwerkingsverantwoordelijke" not in section


def test_the_case_page_says_a_held_erasure_waits_for_the_controller(
    client, login, db_session, world, erase, now
):
    """The same complaint for a previewed erasure on the controller's data: the case page
    says it waits for the controller until it approves, as the gate and the approvals page."""
    login(world.second_officer)
    section = _case_data_section(client, world, menu_count=0)
    assert "1 voorbereide actie wacht op de goedkeuring van de verwerkingsverantwoordelijke" in (
        section
    )
    assert "uitvoering door een tweede medewerker" not in section

    decide_action(db_session, erase, DecisionKind.APPROVE, actor=world.actor(world.contact),
                  now=now)  # fmt: skip
    db_session.commit()
    section = _case_data_section(client, world, menu_count=1)
    assert "uitvoering door een tweede medewerker" in section
    assert "goedkeuring van de verwerkingsverantwoordelijke" not in section
