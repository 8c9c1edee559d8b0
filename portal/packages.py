"""Wiring the exporters to the package store: build the ZIP for a request straight into
the encrypted store, assemble the request's own Art. 15(1) package until the data-source
adapter (``exporters/from_sources.py``) is merged, and give the status page its links.

The ZIP is streamed into the encryptor: the plaintext never touches the disk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import Flask, current_app
from sqlalchemy.orm import Session

from exporters.from_sources import to_return_package, to_section
from exporters.manifest import Manifest, Progress
from exporters.model import (
    CategoryData,
    ExportPackage,
    FieldSpec,
    ProcessingInfo,
    Recipient,
    SourceSection,
    rows,
)
from exporters.package import DEFAULT_FORMATS, build_package
from portal.tokens import make_token
from rights import audit, packages
from rights.audit import Actor
from rights.crypto import DecryptionFailed, parse_key
from rights.models.org import Organisation
from rights.models.package import Package, Transmission
from rights.models.request import RightsRequest
from rights.righttypes import PortabilityDetails, RightType, parse_details
from rights.sources.fulfilment import SourceCopy, export_copies

PORTABLE_FORMATS = ("json", "csv", "xlsx")


def package_store(app: Flask | None = None) -> packages.PackageStore:
    app = app or current_app
    root = app.config.get("PACKAGE_DIR") or str(Path(app.instance_path) / "packages")
    return packages.PackageStore(root=Path(root), key=parse_key(app.config["ENCRYPTION_KEY"]))


def retention(app: Flask | None = None) -> timedelta:
    app = app or current_app
    return timedelta(days=int(app.config["PACKAGE_RETENTION_DAYS"]))


def code_secret(app: Flask | None = None) -> bytes:
    """The key for the one-time code hashes (the encryption key: never in the database)."""
    app = app or current_app
    return parse_key(app.config["ENCRYPTION_KEY"])


def default_formats(request: RightsRequest) -> tuple[str, ...]:
    """Access: every format. Portability: the format the subject chose (Art. 20)."""
    if request.right is RightType.PORTABILITY:
        details = parse_details(request.right, request.details)
        assert isinstance(details, PortabilityDetails)
        return (details.format,)
    return DEFAULT_FORMATS


def build_request_package(
    session: Session,
    request: RightsRequest,
    export_package: ExportPackage,
    *,
    store: packages.PackageStore,
    now: datetime,
    actor: Actor,
    formats: tuple[str, ...] | list[str] | None = None,
    retention: timedelta = packages.DEFAULT_RETENTION,
    csv_delimiter: str = ";",
    html_row_limit: int | None = None,
    progress: Progress | None = None,
) -> Package:
    """Build the ZIP for ``export_package`` and store it encrypted as a new package of
    ``request`` (flushes; the caller commits). A portability request gets the Art. 20
    subset. ``ExportInvalid`` from the exporters leaves no file behind."""
    if request.right is RightType.PORTABILITY and export_package.right != "portability":
        export_package = export_package.for_portability()
    chosen = tuple(formats or default_formats(request))
    built: list[Manifest] = []

    def produce(out: BinaryIO) -> None:
        built.append(
            build_package(
                export_package,
                out,
                chosen,
                csv_delimiter,
                html_row_limit=html_row_limit,
                progress=progress,
            )
        )

    package = packages.store_package(
        session,
        store,
        request,
        produce,
        formats=chosen,
        language=export_package.language,
        actor=actor,
        now=now,
        retention=retention,
    )
    manifest = built[0]
    package.manifest_summary = {
        "format_version": manifest.format_version,
        "generated_at": manifest.generated_at,
        "files": len(manifest.files),
        "right": export_package.right,
    }
    session.flush()
    return package


def build_return_package(
    session: Session,
    organisation: Organisation,
    *,
    store: packages.PackageStore,
    key: bytes,
    now: datetime,
    actor: Actor,
    language: str = "nl",
    formats: Sequence[str] = DEFAULT_FORMATS,
    retention: timedelta = packages.DEFAULT_RETENTION,
    csv_delimiter: str = ";",
    html_row_limit: int | None = 1000,
    progress: Progress | None = None,
) -> Package:
    """Return of data (Art. 28(3)(g) GDPR): every record of ``organisation``'s data sources
    (``rights.returns``) streamed through the exporters into one ZIP, stored encrypted as a
    package of kind ``return`` (flushes; the caller commits). A second officer releases it
    (four eyes); then the controller's contacts download it from the controller portal.

    The HTML summary shows at most ``html_row_limit`` rows per category (the full data are
    in CSV, XLSX and JSON). SQL connection pools are disposed of afterwards."""
    from rights.returns import return_sources

    opened: list[Any] = []
    try:
        contents = return_sources(session, organisation, key=key, opened=opened)
        reference = f"RET-{organisation.slug}-{now:%Y%m%d%H%M%S}"
        export = to_return_package(
            sources=contents.sources,
            owner=organisation.name,
            reference=reference,
            language=language,
            created_at=now,
            generated_at=now,
        )
        built: list[Manifest] = []

        def produce(out: BinaryIO) -> None:
            built.append(
                build_package(
                    export,
                    out,
                    tuple(formats),
                    csv_delimiter,
                    html_row_limit=html_row_limit,
                    progress=progress,
                )
            )

        summary = {**contents.summary(), "reference": reference}
        package = packages.store_return_package(
            session,
            store,
            organisation,
            produce,
            formats=formats,
            language=export.language,
            actor=actor,
            now=now,
            retention=retention,
            summary=summary,
        )
    finally:
        for db in opened:
            db.dispose()
    manifest = built[0]
    package.manifest_summary = {
        **summary,
        "format_version": manifest.format_version,
        "generated_at": manifest.generated_at,
        "files": len(manifest.files),
        "right": "return",
    }
    session.flush()
    return package


def verified_chunks(session: Session, package: Package, now: datetime) -> Iterator[bytes]:
    """The package's plaintext after the whole file was authenticated. A damaged file
    raises ``DecryptionFailed`` (500, nothing served): what the request did so far is
    rolled back (a code stays unused) and an ``package.integrity_failed`` event is committed."""
    try:
        return package_store().open_verified(package)
    except DecryptionFailed:
        package_id, request_id, digest = package.id, package.request_id, package.sha256
        # (request_id is None for a return-of-data export)
        session.rollback()
        audit.record(
            session,
            "package.integrity_failed",
            actor=audit.SYSTEM,
            now=now,
            request_id=request_id,
            object_type="package",
            object_id=package_id,
            data={"sha256": digest},
        )
        session.commit()
        raise


# --- The request's own data, until the data sources are wired in -------------------------

_TEXTS: dict[str, dict[str, str]] = {
    "source": {"nl": "Privacyportaal", "en": "Privacy portal"},
    "category": {"nl": "Uw verzoek", "en": "Your request"},
    "purpose": {
        "nl": "Uw verzoek over uw persoonsgegevens afhandelen en beantwoorden",
        "en": "Handling and answering your request about your personal data",
    },
    "basis": {
        "nl": "Wettelijke verplichting (art. 6 lid 1 sub c AVG; art. 12 AVG)",
        "en": "Legal obligation (Art. 6(1)(c) GDPR; Art. 12 GDPR)",
    },
    "retention": {
        "nl": "Tot twee jaar na afronding van het verzoek, om te kunnen aantonen hoe het is "
        "afgehandeld",
        "en": "Until two years after the request is closed, to show how it was handled",
    },
    "role": {"nl": "verwerkingsverantwoordelijke", "en": "controller"},
    "reference": {"nl": "Kenmerk", "en": "Reference"},
    "right": {"nl": "Recht", "en": "Right"},
    "received_at": {"nl": "Ontvangen op", "en": "Received at"},
    "name": {"nl": "Naam", "en": "Name"},
    "email": {"nl": "E-mailadres", "en": "E-mail address"},
    "phone": {"nl": "Telefoonnummer", "en": "Phone number"},
    "address": {"nl": "Adres", "en": "Address"},
    "customer_number": {"nl": "Klantnummer", "en": "Customer number"},
}


def _t(key: str, language: str) -> str:
    return _TEXTS[key]["nl" if language == "nl" else "en"]


def request_export_package(
    request: RightsRequest,
    *,
    now: datetime,
    operator_name: str,
    copies: Sequence[SourceCopy] = (),
) -> ExportPackage:
    """The package for ``request``: the request record the portal itself holds, plus one
    section per data source with the confirmed matches (``copies`` from
    ``rights.sources.fulfilment.export_copies``), each with its Art. 15(1) information."""
    lang = "nl" if request.language == "nl" else "en"
    fields = [
        FieldSpec("reference", _t("reference", lang)),
        FieldSpec("right", _t("right", lang)),
        FieldSpec("received_at", _t("received_at", lang), "datetime"),
        FieldSpec("name", _t("name", lang)),
        FieldSpec("email", _t("email", lang)),
        FieldSpec("phone", _t("phone", lang)),
        FieldSpec("address", _t("address", lang)),
        FieldSpec("customer_number", _t("customer_number", lang)),
    ]
    record: dict[str, Any] = {
        "reference": request.reference,
        "right": request.right.value,
        "received_at": request.received_at,
        "name": request.requester_name or None,
        "email": request.requester_email or None,
        "phone": request.requester_phone or None,
        "address": request.requester_address or None,
        "customer_number": request.requester_customer_number or None,
    }
    controller = request.organisation.name if request.organisation else operator_name
    section = SourceSection(
        name=_t("source", lang),
        owner=controller,
        info=ProcessingInfo(
            purposes=[_t("purpose", lang)],
            legal_basis=[_t("basis", lang)],
            retention=_t("retention", lang),
            recipients=[Recipient(controller, _t("role", lang))],
        ),
        categories=[
            CategoryData(
                key="request",
                label=_t("category", lang),
                fields=fields,
                records=rows([record]),
                provided_by_subject=True,
                legal_basis="legal_obligation",
            )
        ],
    )
    return ExportPackage(
        reference=request.reference,
        language=lang,  # type: ignore[arg-type]
        right="portability" if request.right is RightType.PORTABILITY else "access",
        received_at=request.received_at,
        generated_at=now,
        subject_name=request.requester_name,
        sources=[section, *(to_section(copy) for copy in copies)],
    )


def collect_export_package(
    session: Session, request: RightsRequest, *, now: datetime, app: Flask | None = None
) -> ExportPackage:
    """``request_export_package`` with the confirmed data from every source, read now."""
    app = app or current_app
    copies = export_copies(session, request, key=parse_key(app.config["ENCRYPTION_KEY"]))
    return request_export_package(
        request, now=now, operator_name=app.config["OPERATOR_NAME"], copies=copies
    )


# --- Links for the status page ---------------------------------------------------------


@dataclass(frozen=True)
class DownloadLink:
    package: Package
    url: str


def download_token(package: Package) -> str:
    return make_token("download", {"p": package.id, "g": package.link_generation})


def download_url(package: Package) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/download/{download_token(package)}"


def transmission_url(transmission: Transmission) -> str:
    """The receiving organisation's link (Art. 20(2)); dies with the package's links."""
    token = make_token("download", {"t": transmission.id, "g": transmission.link_generation})
    return f"{current_app.config['BASE_URL'].rstrip('/')}/transmission/{token}"


def download_links(session: Session, request: RightsRequest, now: datetime) -> list[DownloadLink]:
    """Released, unexpired packages of ``request`` with their download links, newest first.

    For the status page: ``{% from "macros/packages.html" import package_downloads %}``
    ``{{ package_downloads(download_links(session, request, now)) }}``.
    """
    return [
        DownloadLink(p, download_url(p)) for p in packages.released_packages(session, request, now)
    ]
