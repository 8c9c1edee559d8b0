"""What an answer letter states as facts (docs/legal.md, "What each letter says"): which
sources were searched and where data was found, the package and what it holds, and the
organisation that signs. The letter template turns them into sentences."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from exporters.labels import column_label, table_name_label, text_label
from operations.context import Context
from operations.texts import N_, Texts, texts
from rights.deadlines import AMSTERDAM
from rights.models.org import Organisation, OrganisationKind
from rights.models.package import Package
from rights.models.request import RightsRequest
from rights.sources.discovery import sources_in_scope
from rights.sources.erasure import ErasureSummary
from rights.sources.matching import confirmed_matches

# The product's name is no signature: a letter is signed by an organisation.
PRODUCT_NAME = "DSR Portal"

# What each file of a package holds, by format (exporters.package), in the letter's words.
FILE_TEXTS: dict[str, str] = {
    "html": N_("summary.html: a readable overview of your data to open in a browser or print"),
    "xlsx": N_("data/package.xlsx: your data as an Excel workbook, one sheet per kind of data"),
    "csv": N_("csv/: your data as CSV files, one per kind of data"),
    "json": N_("data/package.json: all data and information in one machine-readable file"),
}
ALWAYS = (
    N_("schema/fields.json: what each column means"),
    N_("manifest.json: a checksum (SHA-256) of every file, so you can check nothing changed"),
)


@dataclass(frozen=True)
class PackageFacts:
    until: date  # the last day the link works (Amsterdam)


@dataclass(frozen=True)
class LetterFacts:
    searched: tuple[str, ...]  # names of the sources searched
    found: tuple[str, ...]  # names of the sources holding confirmed data
    package: PackageFacts | None
    files: tuple[str, ...]  # what the package holds, one line per file


# The table an uploaded file's records are in (rights.sources.adapters.file).
FILE_RECORDS = "data_record"
FILE_RECORDS_TEXT = N_("the uploaded file")


def worded_erasure(summary: ErasureSummary, language: str) -> ErasureSummary:
    """The erasure summary with tables and columns by their labels (never a column name)."""

    def table(labels: dict[str, Any], name: str) -> str:
        if name == FILE_RECORDS:
            return str(texts(language).gettext(FILE_RECORDS_TEXT))
        return table_name_label(labels, name, language)

    def words(entry: dict[str, Any]) -> dict[str, Any]:
        labels = summary.labels.get(str(entry.get("source", ""))) or {}
        out = {**entry, "table": table(labels, str(entry.get("table", "")))}
        if "columns" in entry:
            out["columns"] = [column_label(labels, str(c), language) for c in entry["columns"]]
        for key in ("ground", "period"):  # the admin's free texts, in the letter's language
            if isinstance(entry.get(key), str):
                out[key] = text_label(labels, entry[key], language)
        return out

    def rotation(backup: dict[str, str]) -> dict[str, str]:
        labels = summary.labels.get(backup.get("source", "")) or {}
        return {**backup, "rotation": text_label(labels, backup.get("rotation", ""), language)}

    return replace(
        summary,
        erased=tuple(words(e) for e in summary.erased),
        kept=tuple(words(k) for k in summary.kept),
        backups=tuple(rotation(b) for b in summary.backups),
    )


def signatory(ctx: Context) -> str:
    """The organisation that signs: the operator's name from the settings, or else the
    operator organisation's name (never the product's name when an organisation exists)."""
    configured = str(ctx.settings.extra.get("OPERATOR_NAME", "") or "")
    if configured and configured != PRODUCT_NAME:
        return configured
    name = ctx.session.scalar(
        select(Organisation.name)
        .where(Organisation.kind == OrganisationKind.OPERATOR)
        .order_by(Organisation.id)
        .limit(1)
    )
    return name or configured or PRODUCT_NAME


def _formats(request: RightsRequest, package: Package | None) -> tuple[str, ...]:
    if package is not None:
        return tuple(package.formats)
    if request.right.value == "portability":
        return (str((request.details or {}).get("format") or "json"),)
    return ("html", "xlsx", "csv", "json")


def letter_facts(
    ctx: Context, request: RightsRequest, package: Package | None, texts: Texts
) -> LetterFacts:
    session = ctx.session
    searched = tuple(s.name for s in sources_in_scope(session, request))
    found = tuple(dict.fromkeys(m.source.name for m in confirmed_matches(session, request)))
    files = tuple(texts.gettext(FILE_TEXTS[f]) for f in _formats(request, package))
    facts = None
    if package is not None:
        # The link works until the package expires (rights.packages.store).
        last = package.expires_at.astimezone(AMSTERDAM)
        facts = PackageFacts(until=last.date())
    return LetterFacts(
        searched=searched,
        found=found,
        package=facts,
        files=(*files, *(texts.gettext(t) for t in ALWAYS)),
    )
