"""Turn the rights layer's copies of a subject's data (``rights.sources.copies``) into an
:class:`~exporters.model.ExportPackage`, so every export format can render them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from exporters.labels import (
    Labels,
    category_label,
    column_label,
    column_meaning,
    table_name_label,
    text_label,
)
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


def _labels(obj: object) -> Labels:
    return getattr(obj, "labels", None) or {}


def field_spec(labels: Labels, name: str, kind: FieldType, language: Language) -> FieldSpec:
    """A column with the definition's label (or a readable form of its name) and meaning."""
    return FieldSpec(
        name,
        column_label(labels, name, language),
        kind,
        column_meaning(labels, name, language),
    )


def _category_label(labels: Labels, copy: CategoryCopy, language: Language, shared: bool) -> str:
    """An SQL category is keyed ``table.category``: its label is the category's, with the
    table's label when the category spans several tables; a file's is its file name."""
    if "." not in copy.key:
        return category_label(labels, copy.label, language)
    table, name = copy.key.split(".", 1)
    label = category_label(labels, name, language)
    return f"{label} ({table_name_label(labels, table, language)})" if shared else label


def _declared(labels: Labels, name: str, value: Any) -> Any:
    """A text value of a column the definition declares a date or a number, as one (left
    as text when it does not parse)."""
    kind = ((labels.get("columns") or {}).get(name) or {}).get("type")
    if not isinstance(value, str) or kind not in ("date", "number"):
        return value
    try:
        if kind == "date":
            return date.fromisoformat(value.strip())
        number = Decimal(value.strip())
    except (ValueError, ArithmeticError):
        return value
    return number if number.is_finite() else value


def _category(
    copy: CategoryCopy,
    legal_basis: LegalBasis,
    labels: Labels,
    language: Language,
    shared: bool = False,
) -> CategoryData:
    """Art. 20(1): the category's own basis and provenance when the definition records
    them; otherwise the source's basis, and provided by the subject."""
    declared = [{n: _declared(labels, n, r.get(n)) for n in copy.fields} for r in copy.records]
    types = {name: _field_types(name, declared) for name in copy.fields}
    records = [{n: _convert(r.get(n), types[n]) for n in copy.fields} for r in declared]
    basis = _recorded(copy, "legal_basis")
    provenance = _recorded(copy, "provenance")
    return CategoryData(
        key=copy.key,
        label=_category_label(labels, copy, language, shared),
        fields=[field_spec(labels, name, types[name], language) for name in copy.fields],
        records=rows(records),
        provided_by_subject=provenance in FROM_SUBJECT if provenance else True,
        legal_basis=cast(LegalBasis, basis) if basis in LEGAL_BASES else legal_basis,
    )


def _first_basis(source: SourceInfo, default: LegalBasis) -> LegalBasis:
    bases = [b for b in source.legal_basis if b in LEGAL_BASES]
    return cast(LegalBasis, bases[0]) if bases else default


def _info(
    source: SourceInfo, purposes: Sequence[str], labels: Labels, language: Language
) -> ProcessingInfo:
    return ProcessingInfo(
        # What the admin wrote, in the package's language where [labels.texts] gives it.
        purposes=[text_label(labels, p, language) for p in purposes],
        legal_basis=source.legal_basis,
        retention=text_label(labels, source.retention, language),
        recipients=[
            Recipient(r["name"], r.get("role") or "recipient", r.get("country") or None)
            for r in source.recipients
        ],
        categories=[category_label(labels, c, language) for c in source.categories_info],
        source_of_data=text_label(labels, source.source_of_data, language) or None,
        # Art. 15(1)(g), (h), 15(2): only what the definition records (docs/legal.md).
        collected_from_subject=_recorded(source, "collected_from_subject"),
        automated_decision_making=_recorded(source, "automated_decision_making"),
        automated_decisions=getattr(source, "automated_decisions", None),
        transfer_safeguards=_recorded(source, "transfer_safeguards"),
        transfers_outside_eea=getattr(source, "transfers_outside_eea", None),
    )


def _shared(categories: Sequence[CategoryCopy]) -> set[str]:
    """The category names that occur in more than one table of a source."""
    names = [c.key.split(".", 1)[1] for c in categories if "." in c.key]
    return {n for n in names if names.count(n) > 1}


def to_section(copy: SourceCopy, language: str = "nl") -> SourceSection:
    basis = _first_basis(copy, "legitimate_interests")
    lang = _language(language)
    labels = _labels(copy)
    shared = _shared(copy.categories)
    return SourceSection(
        name=copy.name,
        owner=copy.owner,
        info=_info(copy, copy.purposes, labels, lang),
        categories=[
            _category(c, basis, labels, lang, c.key.split(".", 1)[-1] in shared and "." in c.key)
            for c in copy.categories
        ],
    )


def _language(language: str) -> Language:
    return cast(Language, language if language in ("nl", "en") else "nl")


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
        language=_language(language),
        right="access",
        received_at=received_at,
        generated_at=generated_at,
        subject_name=subject_name,
        sources=[to_section(c, language) for c in copies],
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


# The column a return package adds to every uploaded file's records (rights.returns).
RESTRICTED_FIELD = "_restricted"
_RESTRICTED = {
    "nl": ("Verwerking beperkt (artikel 18 AVG)", "1 als de verwerking beperkt is, anders 0"),
    "en": ("Processing restricted (Article 18 GDPR)", "1 when processing is restricted, else 0"),
}


def _return_field(labels: Labels, name: str, language: Language) -> FieldSpec:
    if name == RESTRICTED_FIELD:
        label, meaning = _RESTRICTED[language]
        return FieldSpec(name, label, "string", meaning)
    return field_spec(labels, name, "string", language)


def _return_label(labels: Labels, category: ReturnCategory, language: Language) -> str:
    """A mapped table (``table-<name>``) by its label; an uploaded file by its file name."""
    if category.key.startswith("table-"):
        return table_name_label(labels, category.label, language)
    return category_label(labels, category.label, language)


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
    lang = _language(language)
    sections = []
    for source in sources:
        basis = _first_basis(source, "contract")
        labels = _labels(source)
        purposes = list(source.purposes) or [_RETURN_PURPOSE[lang]]
        sections.append(
            SourceSection(
                name=source.name,
                owner=owner,
                info=_info(source, purposes, labels, lang),
                categories=[
                    CategoryData(
                        key=c.key,
                        label=_return_label(labels, c, lang),
                        fields=[_return_field(labels, name, lang) for name in c.fields],
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
