"""The rows of the XLSX "Information" sheet: request metadata, the Art. 15(1) information per
source, the generic rights and complaint texts, and which sheet holds which category."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exporters.display import moment
from exporters.i18n import adm_statement, source_statement, t, transfer_statement
from exporters.labels import basis_label, role_label
from exporters.model import ExportPackage, SourceSection


@dataclass(frozen=True)
class InfoRow:
    values: tuple[str, ...]
    heading: bool = False


def _pair(label: str, value: str) -> InfoRow:
    return InfoRow((label, value))


def _source_rows(pkg: ExportPackage, source: SourceSection) -> Iterator[InfoRow]:
    lang = pkg.language
    info = source.info
    yield InfoRow((t(lang, "source"), source.name), heading=True)
    yield _pair(t(lang, "owner"), source.owner)
    for purpose in info.purposes:
        yield _pair(t(lang, "purposes"), purpose)
    for basis in info.legal_basis:
        yield _pair(t(lang, "legal_basis"), basis_label(basis, lang))
    for label in source.category_labels:
        yield _pair(t(lang, "categories"), label)
    if not info.recipients:
        yield _pair(t(lang, "recipients"), t(lang, "recipients.none"))
    for recipient in info.recipients:
        where = f", {recipient.country}" if recipient.country else ""
        role = role_label(recipient.role, lang)
        yield _pair(t(lang, "recipients"), f"{recipient.name} ({role}{where})")
    yield _pair(t(lang, "retention"), info.retention)
    # Art. 15(1)(g), (h) and 15(2): only what is recorded (docs/legal.md, "Access").
    yield _pair(t(lang, "source_of_data"), source_statement(lang, info))
    yield _pair(t(lang, "adm"), adm_statement(lang, info))
    yield _pair(t(lang, "transfer_safeguards"), transfer_statement(lang, info))
    yield InfoRow(())


def information_rows(pkg: ExportPackage, sheets: list[tuple[str, str, str]]) -> Iterator[InfoRow]:
    """``sheets`` holds (sheet name, source name, category label) for each data sheet."""
    lang = pkg.language
    yield InfoRow((t(lang, f"title.{pkg.right}"),), heading=True)
    yield _pair(t(lang, "reference"), pkg.reference)
    who = "controller" if pkg.right == "return" else "subject"
    yield _pair(t(lang, who), pkg.subject_name)
    yield _pair(t(lang, "request_right"), t(lang, f"right.{pkg.right}"))
    if pkg.right != "return":
        yield _pair(t(lang, "received_at"), moment(pkg.received_at, lang))
    yield _pair(t(lang, "generated_at"), moment(pkg.generated_at, lang))
    yield InfoRow(())
    if not pkg.sources:
        yield InfoRow((t(lang, "no_data"),))
    for source in pkg.sources:
        yield from _source_rows(pkg, source)
    if sheets:
        yield InfoRow((t(lang, "sheet.sheet"), t(lang, "categories")), heading=True)
        for name, source_name, label in sheets:
            yield _pair(name, t(lang, "copy.caption", category=label, source=source_name))
        yield InfoRow(())
    for exclusion in pkg.excluded:
        reason = t(lang, f"excluded.{exclusion.reason}")
        yield _pair(
            t(lang, "excluded"), f"{exclusion.category_label} ({exclusion.source}): {reason}"
        )
    if pkg.right != "return":  # a return package is written to the controller
        yield InfoRow((t(lang, "rights"), t(lang, "rights.text")))
        yield InfoRow((t(lang, "complaint"), t(lang, "complaint.text")))
