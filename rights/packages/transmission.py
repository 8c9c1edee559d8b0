"""Art. 20(2) GDPR: a portability package transmitted directly to another organisation,
which gets an expiring link by mail after the subject confirms with a one-time code."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import Gone, PermissionDenied, ValidationFailed
from rights.models.package import Package, Transmission
from rights.outbox import queue_mail
from rights.packages.codes import redeem_download_code
from rights.packages.rules import downloadable
from rights.righttypes import RightType

TRANSMISSION_TTL = timedelta(days=7)
TRANSMISSION_MAX_DOWNLOADS = 3
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f<>,;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")


def transmit_package(
    session: Session,
    package: Package,
    code: str,
    *,
    recipient_name: str,
    recipient_email: str,
    secret: bytes,
    now: datetime,
    link: Callable[[Transmission], str],
    ttl: timedelta = TRANSMISSION_TTL,
) -> Transmission | None:
    """The subject confirms, with a fresh one-time code, that a portability package goes
    to the organisation at ``recipient_email``: that address gets an expiring link
    (``link(transmission)``) by mail. Returns None for a wrong code (the attempt counts;
    the caller commits). The link expires after ``ttl`` or with the package, and works
    for at most ``TRANSMISSION_MAX_DOWNLOADS`` downloads."""
    downloadable(package, now)
    if package.rights_request.right is not RightType.PORTABILITY:
        raise PermissionDenied(
            "only portability answers can be transmitted", code="not_portability"
        )
    name = " ".join(recipient_name.split())
    email = recipient_email.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("the organisation's name is required", code="recipient_name")
    if len(email) > 254 or _EMAIL.fullmatch(email) is None:
        raise ValidationFailed(
            "the organisation's e-mail address is not valid", code="recipient_email"
        )
    if not redeem_download_code(session, package, code, secret=secret, now=now):
        return None
    transmission = Transmission(
        package_id=package.id,
        recipient_name=name,
        recipient_email=email,
        created_at=now,
        expires_at=min(now + ttl, package.expires_at),
        link_generation=package.link_generation,
        download_count=0,
    )
    session.add(transmission)
    session.flush()
    request = package.rights_request
    queue_mail(
        session,
        to=email,
        template="portability_transmission",
        language=request.language,
        now=now,
        request_id=request.id,
        context={
            "url": link(transmission),
            "recipient_name": name,
            "expires_at": transmission.expires_at.isoformat(),
        },
    )
    audit.record(
        session,
        "package.transmitted",
        actor=Actor.subject(),
        now=now,
        request_id=request.id,
        object_type="package",
        object_id=package.id,
        data={
            "transmission_id": transmission.id,
            "recipient_domain": email.rpartition("@")[2].lower(),
            "sha256": package.sha256,
        },
    )
    return transmission


def transmission_downloadable(transmission: Transmission, now: datetime) -> None:
    """Raise ``Gone`` unless the recipient's link still works."""
    package = transmission.package
    downloadable(package, now)
    if (
        transmission.link_generation != package.link_generation
        or now >= transmission.expires_at
        or transmission.download_count >= TRANSMISSION_MAX_DOWNLOADS
    ):
        raise Gone("this link is no longer valid", code="transmission_expired")


def record_transmission_download(
    session: Session, transmission: Transmission, *, now: datetime
) -> None:
    transmission_downloadable(transmission, now)
    transmission.download_count += 1
    transmission.last_downloaded_at = now
    session.flush()
    audit.record(
        session,
        "package.transmission_downloaded",
        actor=Actor("recipient"),
        now=now,
        request_id=transmission.package.request_id,
        object_type="package",
        object_id=transmission.package_id,
        data={
            "transmission_id": transmission.id,
            "count": transmission.download_count,
            "sha256": transmission.package.sha256,
        },
    )
