"""Demo for ``make run``: a fulfilled access request whose package is built by one officer
and released by a second, ready for the subject to download with a mailed code."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from operations.packages import build_request_package, operator_name, request_export_package
from portal.context import context_for
from portal.packages import download_url
from rights import lifecycle, packages
from rights import requests as ops
from rights.audit import Actor
from rights.models.org import Organisation, User
from rights.models.package import Package
from rights.models.request import Channel, IdentityStatus, Outcome, RequestState, RightsRequest
from rights.policy import Policy
from rights.righttypes import AccessDetails

FORM_KEY = "demo-package-download"
PREPARER = "officer@demo.example"
RELEASER = "officer2@demo.example"


def load_demo_package(session: Session, app: Flask, *, now: datetime, policy: Policy) -> str | None:
    """Create the demo package once (needs the demo users); returns its download link."""
    existing = session.scalar(select(RightsRequest).where(RightsRequest.form_key == FORM_KEY))
    if existing is not None:
        found = packages.released_packages(session, existing, now)
        return download_url(found[0]) if found else None
    preparer = session.scalar(select(User).where(User.email == PREPARER))
    releaser = session.scalar(select(User).where(User.email == RELEASER))
    org = session.scalar(select(Organisation).where(Organisation.slug == "bakkerij-jansen"))
    if preparer is None or releaser is None or org is None:
        return None
    intake = ops.Intake(
        right=AccessDetails.kind,
        details=AccessDetails(),
        requester=ops.Requester(
            name="Noor Bakker", email="noor.bakker@example.nl", phone="06 1234 5678"
        ),
        received_at=now - timedelta(days=9),
        channel=Channel.EMAIL,
        language="nl",
        organisation_id=org.id,
        form_key=FORM_KEY,
    )
    actor = Actor.user(preparer.id)
    request = ops.create_request(session, intake, actor=actor, now=now, policy=policy)
    request.identity_status = IdentityStatus.VERIFIED
    request.email_verified_at = now
    ctx = replace(context_for(app, session, actor), clock=lambda: now)
    export = request_export_package(request, now=now, operator_name=operator_name(ctx))
    package: Package = build_request_package(ctx, request, export)
    packages.release_package(session, package, actor=Actor.user(releaser.id), now=now)
    lifecycle.transition(
        session, request, RequestState.ANSWERED, actor=actor, now=now, outcome=Outcome.FULFILLED
    )
    return download_url(package)
