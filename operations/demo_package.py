"""The demo's package (issue 8): a fulfilled access request whose package is built by one
officer and released by a second, ready for the subject to download with a mailed code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from operations.context import Context
from rights import lifecycle, packages, requests
from rights.audit import Actor
from rights.controllers import approvals
from rights.models.controller import DecisionKind
from rights.models.org import Organisation, User
from rights.models.package import Package
from rights.models.request import Channel, IdentityStatus, Outcome, RequestState, RightsRequest
from rights.righttypes import AccessDetails

FORM_KEY = "demo-package-download"
PREPARER = "officer@demo.example"
RELEASER = "officer2@demo.example"
CONTACT = "contact@bakkerij-jansen.example"  # a designated contact (operations.demo)

# Builds and stores the request's access package as ``ctx.actor`` (the use case that builds
# access packages, passed in by the caller).
BuildPackage = Callable[[Context, RightsRequest], Package]


def load_demo_package(ctx: Context, build: BuildPackage) -> Package | None:
    """Create the demo package once (flushes; needs the demo users of ``load_demo``);
    returns the released package, or None without the demo users."""
    session, now = ctx.session, ctx.now()
    existing = session.scalar(select(RightsRequest).where(RightsRequest.form_key == FORM_KEY))
    if existing is not None:
        found = packages.released_packages(session, existing, now)
        return found[0] if found else None
    preparer = session.scalar(select(User).where(User.email == PREPARER))
    releaser = session.scalar(select(User).where(User.email == RELEASER))
    org = session.scalar(select(Organisation).where(Organisation.slug == "bakkerij-jansen"))
    if preparer is None or releaser is None or org is None:
        return None
    intake = requests.Intake(
        right=AccessDetails.kind,
        details=AccessDetails(),
        requester=requests.Requester(
            name="Noor Bakker", email="noor.bakker@example.nl", phone="06 1234 5678"
        ),
        received_at=now - timedelta(days=9),
        channel=Channel.EMAIL,
        language="nl",
        organisation_id=org.id,
        form_key=FORM_KEY,
    )
    actor = Actor.user(preparer.id)
    request = requests.create_request(session, intake, actor=actor, now=now, policy=ctx.policy)
    request.identity_status = IdentityStatus.VERIFIED
    request.email_verified_at = now
    package = build(replace(ctx, actor=actor, clock=lambda: now), request)  # one instant
    # Bakkerij Jansen's data: its designated contact approves the copy before release.
    contact = session.scalar(select(User).where(User.email == CONTACT))
    if contact is not None:
        approvals.decide_package(
            session, package, DecisionKind.APPROVE, actor=Actor.user(contact.id), now=now
        )
    packages.release_package(session, package, actor=Actor.user(releaser.id), now=now)
    lifecycle.transition(
        session, request, RequestState.ANSWERED, actor=actor, now=now, outcome=Outcome.FULFILLED
    )
    return package
