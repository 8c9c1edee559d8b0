"""Packages at the web edge: the signed links of the status page and the subject's mails
(``portal.tokens``), and the download views' access to the store through the request's
``Context``. Building packages is ``operations.packages``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from operations import packages as package_ops
from portal.context import context, settings_from
from portal.tokens import make_token
from rights import packages
from rights.crypto import PurposeKey
from rights.models.package import Package, Transmission
from rights.models.request import RightsRequest


def code_secret() -> PurposeKey:
    """The key for the one-time code hashes (never in the database)."""
    return context().download_code_key()


def verified_chunks(session: Session, package: Package, now: datetime) -> Iterator[bytes]:
    """``operations.packages.verified_chunks`` on ``session`` at ``now``."""
    ctx = replace(context().with_session(session), clock=lambda: now)
    return package_ops.verified_chunks(ctx, package)


@dataclass(frozen=True)
class DownloadLink:
    package: Package
    url: str


def download_token(package: Package) -> str:
    return make_token("download", {"p": package.id, "g": package.link_generation})


def _base_url() -> str:
    """The configured base URL (also in a command, without a request)."""
    return settings_from(current_app).base_url


def download_url(package: Package) -> str:
    return f"{_base_url()}/download/{download_token(package)}"


def transmission_url(transmission: Transmission) -> str:
    """The receiving organisation's link (Art. 20(2)); dies with the package's links."""
    token = make_token("download", {"t": transmission.id, "g": transmission.link_generation})
    return f"{_base_url()}/transmission/{token}"


def download_links(session: Session, request: RightsRequest, now: datetime) -> list[DownloadLink]:
    """Released, unexpired packages of ``request`` with their download links, newest first.

    For the status page: ``{% from "macros/packages.html" import package_downloads %}``
    ``{{ package_downloads(download_links(session, request, now)) }}``.
    """
    return [
        DownloadLink(p, download_url(p)) for p in packages.subject_packages(session, request, now)
    ]
