"""Turn the rights layer's copies of a subject's data (``rights.sources.copies``) into an
:class:`~exporters.model.ExportPackage`, so every export format can render them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from exporters.model import (
    LEGAL_BASES,
    CategoryData,
    ExportPackage,
    FieldSpec,
    FieldType,
    Language,
    LegalBasis,
    ProcessingInfo,
    Recipient,
    SourceSection,
    rows,
)

__all__ = ["to_package", "to_return_package", "to_section"]


# Structural types of ``rights.sources.copies.CategoryCopy`` / ``SourceCopy`` (exporters
# imports nothing from the rights layer but its errors).
class CategoryCopy(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def fields(self) -> Sequence[str]: ...
    @property
    def records(self) -> Sequence[Mapping[str, Any]]: ...


class SourceInfo(Protocol):
    """The Art. 15(1) information every source carries."""

    @property
    def name(self) -> str: ...
    @property
    def purposes(self) -> Sequence[str]: ...
    @property
    def legal_basis(self) -> Sequence[str]: ...
    @property
    def retention(self) -> str: ...
    @property
    def recipients(self) -> Sequence[Mapping[str, str]]: ...
    @property
    def categories_info(self) -> Sequence[str]: ...
    @property
    def source_of_data(self) -> str: ...


class SourceCopy(SourceInfo, Protocol):
    @property
    def owner(self) -> str: ...
    @property
    def categories(self) -> Sequence[CategoryCopy]: ...


def _type_of(value: Any) -> FieldType | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "number"
    if isinstance(value, datetime):
        return "datetime" if value.utcoffset() is not None else "string"
    if isinstance(value, date):
        return "date"
    return "string"


def _field_types(name: str, records: Iterable[Mapping[str, Any]]) -> FieldType:
    kinds = {_type_of(r.get(name)) for r in records} - {None}
    if len(kinds) == 1:
        return cast(FieldType, kinds.pop())
    if kinds <= {"integer", "number"} and kinds:
        return "number"
    return "string"


def _convert(value: Any, kind: FieldType) -> Any:
    if value is None or kind != "string":
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# WP242 rev.01: data provided by the subject include observed data, not derived data or data
# obtained from others (docs/legal.md, "Portability").
FROM_SUBJECT = frozenset({"provided", "observed"})


def _recorded(obj: object, name: str) -> Any:
    """A per-category or per-source field of the source definition, or None when the
    definition does not record it (older definitions carry only the source-level fields)."""
    return getattr(obj, name, None) or None


def _category(copy: CategoryCopy, legal_basis: LegalBasis) -> CategoryData:
    """Art. 20(1): the category's own basis and provenance when the definition records
    them; otherwise the source's basis, and provided by the subject."""
    types = {name: _field_types(name, copy.records) for name in copy.fields}
    records = [{n: _convert(r.get(n), types[n]) for n in copy.fields} for r in copy.records]
    basis = _recorded(copy, "legal_basis")
    provenance = _recorded(copy, "provenance")
    return CategoryData(
        key=copy.key,
        label=copy.label,
        fields=[FieldSpec(name, name, types[name]) for name in copy.fields],
        records=rows(records),
        provided_by_subject=provenance in FROM_SUBJECT if provenance else True,
        legal_basis=cast(LegalBasis, basis) if basis in LEGAL_BASES else legal_basis,
    )


def _first_basis(source: SourceInfo, default: LegalBasis) -> LegalBasis:
    bases = [b for b in source.legal_basis if b in LEGAL_BASES]
    return cast(LegalBasis, bases[0]) if bases else default


def _info(source: SourceInfo, purposes: Sequence[str]) -> ProcessingInfo:
    return ProcessingInfo(
        purposes=purposes,
        legal_basis=source.legal_basis,
        retention=source.retention,
        recipients=[
            Recipient(r["name"], r.get("role") or "recipient", r.get("country") or None)
            for r in source.recipients
        ],
        categories=source.categories_info,
        source_of_data=source.source_of_data or None,
        # Art. 15(1)(g), (h), 15(2): only what the definition records (docs/legal.md).
        collected_from_subject=_recorded(source, "collected_from_subject"),
        automated_decision_making=_recorded(source, "automated_decision_making"),
        automated_decisions=getattr(source, "automated_decisions", None),
        transfer_safeguards=_recorded(source, "transfer_safeguards"),
        transfers_outside_eea=getattr(source, "transfers_outside_eea", None),
    )


def to_section(copy: SourceCopy) -> SourceSection:
    basis = _first_basis(copy, "legitimate_interests")
    return SourceSection(
        name=copy.name,
        owner=copy.owner,
        info=_info(copy, copy.purposes),
        categories=[_category(c, basis) for c in copy.categories],
    )


def to_package(
    *,
    copies: Sequence[SourceCopy],
    reference: str,
    language: str,
    right: str,
    received_at: datetime,
    generated_at: datetime,
    subject_name: str,
) -> ExportPackage:
    """The access package of a request; for ``right="portability"`` the Art. 20 subset."""
    package = ExportPackage(
        reference=reference,
        language=cast(Language, language if language in ("nl", "en") else "nl"),
        right="access",
        received_at=received_at,
        generated_at=generated_at,
        subject_name=subject_name,
        sources=[to_section(c) for c in copies],
    )
    return package.for_portability() if right == "portability" else package


# --- Return of data (Art. 28(3)(g)): structural types of ``rights.returns`` ---------------


class ReturnCategory(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def fields(self) -> Sequence[str]: ...
    @property
    def records(self) -> Callable[[], Iterator[dict[str, Any]]]: ...


class ReturnSource(SourceInfo, Protocol):
    @property
    def categories(self) -> Sequence[ReturnCategory]: ...


_RETURN_PURPOSE = {
    "nl": "Verwerking in opdracht van de verwerkingsverantwoordelijke",
    "en": "Processing on behalf of the controller",
}


def to_return_package(
    *,
    sources: Sequence[ReturnSource],
    owner: str,
    reference: str,
    language: str,
    created_at: datetime,
    generated_at: datetime,
) -> ExportPackage:
    """A return-of-data package for one controller (``owner``): one section per source, one
    category per uploaded file or mapped table, every column as text, records streamed
    (the rights layer's ``records`` callables are passed through, never materialised)."""
    lang = cast(Language, language if language in ("nl", "en") else "nl")
    sections = []
    for source in sources:
        basis = _first_basis(source, "contract")
        sections.append(
            SourceSection(
                name=source.name,
                owner=owner,
                info=_info(source, list(source.purposes) or [_RETURN_PURPOSE[lang]]),
                categories=[
                    CategoryData(
                        key=c.key,
                        label=c.label,
                        fields=[FieldSpec(name, name) for name in c.fields],
                        records=c.records,
                        provided_by_subject=False,
                        legal_basis=basis,
                    )
                    for c in source.categories
                ],
            )
        )
    return ExportPackage(
        reference=reference,
        language=lang,
        right="return",
        received_at=created_at,
        generated_at=generated_at,
        subject_name=owner,
        sources=sections,
    )
