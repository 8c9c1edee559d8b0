"""Building export packages: access and portability packages of a request (the request
record the portal holds plus the confirmed data of every source, each with its Art. 15(1)
information) and the return of a controller's data (Art. 28(3)(g) GDPR), streamed through
the exporters straight into the encrypted package store: the plaintext never touches disk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, BinaryIO, Literal

from exporters.from_sources import to_return_package, to_section
from exporters.labels import right_label
from exporters.manifest import Manifest, Progress
from exporters.model import (
    CategoryData,
    ExportPackage,
    FieldSpec,
    FieldType,
    ProcessingInfo,
    Recipient,
    SourceSection,
    rows,
)
from exporters.package import DEFAULT_FORMATS, build_package
from operations.context import Context
from operations.texts import N_, Texts, texts
from rights import audit, packages
from rights.crypto import DecryptionFailed
from rights.models.org import Organisation
from rights.models.package import Package
from rights.models.request import RightsRequest
from rights.returns import return_sources
from rights.righttypes import PortabilityDetails, RightType, parse_details
from rights.sources.copies import SourceCopy, export_copies

PORTABLE_FORMATS = ("json", "csv", "xlsx")


def default_formats(request: RightsRequest) -> tuple[str, ...]:
    """Access: every format. Portability: the format the subject chose (Art. 20)."""
    if request.right is RightType.PORTABILITY:
        details = parse_details(request.right, request.details)
        assert isinstance(details, PortabilityDetails)
        return (details.format,)
    return DEFAULT_FORMATS


def _summary(manifest: Manifest, right: str) -> dict[str, Any]:
    return {
        "format_version": manifest.format_version,
        "generated_at": manifest.generated_at,
        "files": len(manifest.files),
        "right": right,
    }


def build_request_package(
    ctx: Context,
    request: RightsRequest,
    export_package: ExportPackage,
    *,
    formats: Sequence[str] | None = None,
    csv_delimiter: str = ";",
    html_row_limit: int | None = None,
    progress: Progress | None = None,
) -> Package:
    """Build the ZIP for ``export_package`` and store it encrypted as a new package of
    ``request`` (flushes; the caller commits). A portability request gets the Art. 20
    subset. ``ExportInvalid`` from the exporters leaves no file behind."""
    if request.right is RightType.PORTABILITY and export_package.right != "portability":
        export_package = export_package.for_portability()
    # The cover says how long the link works: the package's expiry (rights.packages.store).
    export_package = replace(export_package, available_until=ctx.now() + ctx.package_retention())
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
        ctx.session,
        ctx.package_store(),
        request,
        produce,
        formats=chosen,
        language=export_package.language,
        actor=ctx.actor,
        now=ctx.now(),
        retention=ctx.package_retention(),
    )
    package.manifest_summary = _summary(built[0], export_package.right)
    ctx.session.flush()
    return package


def build_return_package(
    ctx: Context,
    organisation: Organisation,
    *,
    language: str = "nl",
    formats: Sequence[str] = DEFAULT_FORMATS,
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
    now = ctx.now()
    opened: list[Any] = []
    try:
        contents = return_sources(ctx.session, organisation, key=ctx.connector_key(), opened=opened)
        reference = f"RET-{organisation.slug}-{now:%Y%m%d%H%M%S}"
        export = to_return_package(
            sources=contents.sources,
            owner=organisation.name,
            reference=reference,
            language=language,
            created_at=now,
            generated_at=now,
        )
        export = replace(export, available_until=now + ctx.package_retention())
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
            ctx.session,
            ctx.package_store(),
            organisation,
            produce,
            formats=formats,
            language=export.language,
            actor=ctx.actor,
            now=now,
            retention=ctx.package_retention(),
            summary=summary,
        )
    finally:
        for db in opened:
            db.dispose()
    package.manifest_summary = {**summary, **_summary(built[0], "return")}
    ctx.session.flush()
    return package


def verified_chunks(ctx: Context, package: Package) -> Iterator[bytes]:
    """The package's plaintext after the whole file was authenticated. A damaged file
    raises ``DecryptionFailed`` (500, nothing served): what the request did so far is
    rolled back (a code stays unused) and an ``package.integrity_failed`` event is committed."""
    session = ctx.session
    try:
        return ctx.package_store().open_verified(package)
    except DecryptionFailed:
        package_id, request_id, digest = package.id, package.request_id, package.sha256
        # (request_id is None for a return-of-data export)
        session.rollback()
        audit.record(
            session,
            "package.integrity_failed",
            actor=audit.SYSTEM,
            now=ctx.now(),
            request_id=request_id,
            object_type="package",
            object_id=package_id,
            data={"sha256": digest},
        )
        session.commit()
        raise


# --- The request record the portal itself holds (Art. 15(1) information as texts) --------

SOURCE = N_("Privacy portal")
CATEGORY = N_("Your request")
PURPOSE = N_("Handling and answering your request about your personal data")
BASIS = N_("Legal obligation (Art. 6(1)(c) GDPR; Art. 12 GDPR)")
RETENTION = N_("Until two years after the request is closed, to show how it was handled")
ROLE = N_("controller")
FIELDS: tuple[tuple[str, str, FieldType], ...] = (
    ("reference", N_("Reference"), "string"),
    ("right", N_("Right"), "string"),
    ("received_at", N_("Received at"), "datetime"),
    ("name", N_("Name"), "string"),
    ("email", N_("E-mail address"), "string"),
    ("phone", N_("Phone number"), "string"),
    ("address", N_("Address"), "string"),
    ("customer_number", N_("Customer number"), "string"),
)


def _request_section(request: RightsRequest, t: Texts, operator_name: str) -> SourceSection:
    record: dict[str, Any] = {
        "reference": request.reference,
        "right": right_label(request.right.value, t.language),
        "received_at": request.received_at,
        "name": request.requester_name or None,
        "email": request.requester_email or None,
        "phone": request.requester_phone or None,
        "address": request.requester_address or None,
        "customer_number": request.requester_customer_number or None,
    }
    controller = request.organisation.name if request.organisation else operator_name
    return SourceSection(
        name=t.gettext(SOURCE),
        owner=controller,
        info=ProcessingInfo(
            purposes=[t.gettext(PURPOSE)],
            legal_basis=[t.gettext(BASIS)],
            retention=t.gettext(RETENTION),
            recipients=[Recipient(controller, t.gettext(ROLE))],
        ),
        categories=[
            CategoryData(
                key="request",
                label=t.gettext(CATEGORY),
                fields=[FieldSpec(key, t.gettext(label), kind) for key, label, kind in FIELDS],
                records=rows([record]),
                provided_by_subject=True,
                legal_basis="legal_obligation",
            )
        ],
    )


def request_export_package(
    request: RightsRequest,
    *,
    now: datetime,
    operator_name: str,
    copies: Sequence[SourceCopy] = (),
) -> ExportPackage:
    """The package for ``request``: the request record the portal itself holds, plus one
    section per data source with the confirmed matches (``copies`` from
    ``rights.sources.copies.export_copies``), each with its Art. 15(1) information."""
    lang: Literal["nl", "en"] = "nl" if request.language == "nl" else "en"
    section = _request_section(request, texts(lang), operator_name)
    return ExportPackage(
        reference=request.reference,
        language=lang,
        right="portability" if request.right is RightType.PORTABILITY else "access",
        received_at=request.received_at,
        generated_at=now,
        subject_name=request.requester_name,
        sources=[section, *(to_section(copy, lang) for copy in copies)],
    )


def operator_name(ctx: Context) -> str:
    return str(ctx.settings.extra.get("OPERATOR_NAME", ""))


def collect_export_package(ctx: Context, request: RightsRequest) -> ExportPackage:
    """``request_export_package`` with the confirmed data from every source, read now."""
    copies = export_copies(ctx.session, request, key=ctx.source_keys())
    return request_export_package(
        request, now=ctx.now(), operator_name=operator_name(ctx), copies=copies
    )
