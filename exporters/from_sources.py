"""Turn the rights layer's copies of a subject's data (``rights.sources.fulfilment``) into an
:class:`~exporters.model.ExportPackage`, so every export format can render them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

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
from rights.models.request import RightsRequest
from rights.sources.fulfilment import CategoryCopy, SourceCopy

__all__ = ["to_package", "to_section"]


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


def _category(copy: CategoryCopy, legal_basis: LegalBasis) -> CategoryData:
    types = {name: _field_types(name, copy.records) for name in copy.fields}
    records = [{n: _convert(r.get(n), types[n]) for n in copy.fields} for r in copy.records]
    return CategoryData(
        key=copy.key,
        label=copy.label,
        fields=[FieldSpec(name, name, types[name]) for name in copy.fields],
        records=rows(records),
        provided_by_subject=True,
        legal_basis=legal_basis,
    )


def to_section(copy: SourceCopy) -> SourceSection:
    bases = [b for b in copy.legal_basis if b in LEGAL_BASES]
    basis = cast(LegalBasis, bases[0] if bases else "legitimate_interests")
    return SourceSection(
        name=copy.name,
        owner=copy.owner,
        info=ProcessingInfo(
            purposes=copy.purposes,
            legal_basis=copy.legal_basis,
            retention=copy.retention,
            recipients=[
                Recipient(r["name"], r.get("role") or "recipient", r.get("country") or None)
                for r in copy.recipients
            ],
            categories=copy.categories_info,
            source_of_data=copy.source_of_data or None,
        ),
        categories=[_category(c, basis) for c in copy.categories],
    )


def to_package(
    *,
    copies: Sequence[SourceCopy],
    request: RightsRequest,
    generated_at: datetime,
) -> ExportPackage:
    """The access (or, for an Art. 20 request, portability) package of a request."""
    language = cast(Language, request.language if request.language in ("nl", "en") else "nl")
    package = ExportPackage(
        reference=request.reference,
        language=language,
        right="access",
        received_at=request.received_at,
        generated_at=generated_at,
        subject_name=request.requester_name,
        sources=[to_section(c) for c in copies],
    )
    return package.for_portability() if request.right.value == "portability" else package
