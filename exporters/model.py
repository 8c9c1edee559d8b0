"""The neutral package model that every export format renders.

An :class:`ExportPackage` is what the rights layer hands to the exporters: the answer to an
access request (Art. 15 GDPR: the Art. 15(1) information per data source plus a copy of the
data, Art. 15(3)) or to a portability request (Art. 20, see :meth:`ExportPackage.for_portability`).

Records are never held by the model. A :class:`CategoryData` carries ``records``, a zero-argument
callable that returns a *fresh* iterable of mappings each time it is called. Each format calls
it once and streams what it gets, so a package with a million rows is exported in constant
memory and a generator-backed source can still feed JSON, CSV, XLSX and HTML in one ZIP (at the
cost of one query per format). Use :func:`rows` to wrap an in-memory sequence.

All texts in the model (labels, purposes, retention, ...) are already in the package language;
the exporters' own texts come from :mod:`exporters.i18n`.

Invalid models raise :class:`exporters.errors.ExportInvalid` on construction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from exporters.errors import ExportInvalid

FORMAT_VERSION = "1.0"

Language = Literal["nl", "en"]
# "return": a processor returns a controller's data (Art. 28(3)(g) GDPR).
Right = Literal["access", "portability", "return"]
FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime"]
# Art. 6(1)(a)-(f); "consent" also covers explicit consent under Art. 9(2)(a).
LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]
ExclusionReason = Literal["not_provided_by_subject", "legal_basis", "not_automated"]

LANGUAGES: tuple[str, ...] = get_args(Language)
RIGHTS: tuple[str, ...] = get_args(Right)
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
LEGAL_BASES: tuple[str, ...] = get_args(LegalBasis)
PORTABLE_BASES = frozenset({"consent", "contract"})

Record = Mapping[str, Any]
RecordSource = Callable[[], Iterable[Record]]


def rows(records: Sequence[Record]) -> RecordSource:
    """Wrap an in-memory sequence as a :data:`RecordSource` (tests, small manual sources)."""
    return lambda: iter(records)


def _require(condition: bool, message: str, **params: Any) -> None:
    if not condition:
        raise ExportInvalid(message, **params)


def _require_aware(value: datetime, name: str) -> None:
    _require(
        isinstance(value, datetime) and value.utcoffset() is not None,
        f"{name} must be a timezone-aware datetime",
        field=name,
    )


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        _require(name not in seen, f"duplicate {what}: {name!r}", name=name)
        seen.add(name)


@dataclass(frozen=True)
class FieldSpec:
    """One column of a category: a stable machine ``name`` and a human ``label``.

    Values in records must match ``type``: ``str``; ``int``; ``int``/``float``/``Decimal``;
    ``bool``; ``datetime.date``; timezone-aware ``datetime.datetime``. ``None`` means no value.
    """

    name: str
    label: str
    type: FieldType = "string"
    description: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.name), "field name must not be empty")
        _require(self.type in FIELD_TYPES, f"unknown field type {self.type!r}", type=self.type)


@dataclass(frozen=True)
class CategoryData:
    """The copy of one category of personal data held in one source (Art. 15(1)(b), 15(3)).

    ``provided_by_subject`` is true for data the subject actively provided or that was observed
    from their use of a service, false for inferred or derived data and data obtained from
    others (WP242 rev.01). Together with ``legal_basis`` and ``automated`` it decides whether
    the category falls under the right to data portability (Art. 20(1)).
    """

    key: str
    label: str
    fields: Sequence[FieldSpec]
    records: RecordSource
    provided_by_subject: bool
    legal_basis: LegalBasis
    automated: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(self.fields))
        _require(bool(self.key), "category key must not be empty")
        _require(bool(self.fields), f"category {self.key!r} has no fields", category=self.key)
        _require(
            self.legal_basis in LEGAL_BASES,
            f"unknown legal basis {self.legal_basis!r}",
            legal_basis=self.legal_basis,
        )
        _require(callable(self.records), "records must be a zero-argument callable")
        _unique((f.name for f in self.fields), "field name")

    @property
    def portable(self) -> bool:
        """Art. 20(1): provided by the subject, on consent or contract, by automated means."""
        return self.provided_by_subject and self.legal_basis in PORTABLE_BASES and self.automated

    def exclusion_reason(self) -> ExclusionReason | None:
        if not self.provided_by_subject:
            return "not_provided_by_subject"
        if self.legal_basis not in PORTABLE_BASES:
            return "legal_basis"
        if not self.automated:
            return "not_automated"
        return None

    def iter_records(self) -> Iterable[Record]:
        """A fresh iterable over the records; call once per format."""
        return self.records()


@dataclass(frozen=True)
class Recipient:
    """A recipient by identity (CJEU C-154/21), e.g. role "sub-processor" or "recipient".

    ``country`` is set for recipients in a third country (Art. 15(1)(c), 15(2)).
    """

    name: str
    role: str
    country: str | None = None


@dataclass(frozen=True)
class ProcessingInfo:
    """The Art. 15(1) information for one source, specific to this subject's processing.

    ``categories`` (15(1)(b)) may be left empty to use the labels of the source's categories.
    What the answer states for (g), (h) and 15(2) must have a record behind it
    (docs/legal.md, "Access"); ``None`` means "not recorded", never "none":

    - ``source_of_data`` (15(1)(g)): the source of data not collected from the subject;
      ``collected_from_subject`` True when the definition records that they all were.
    - ``automated_decision_making`` (15(1)(h)): the logic involved, its significance and
      envisaged consequences; ``automated_decisions`` False when it records that there are none.
    - ``transfer_safeguards`` (15(2)): the third countries and their Art. 46 safeguards;
      ``transfers_outside_eea`` False when it records that there are none.
    """

    purposes: Sequence[str]
    legal_basis: Sequence[str]
    retention: str
    recipients: Sequence[Recipient] = ()
    categories: Sequence[str] = ()
    source_of_data: str | None = None
    automated_decision_making: str | None = None
    transfer_safeguards: str | None = None
    collected_from_subject: bool | None = None
    automated_decisions: bool | None = None
    transfers_outside_eea: bool | None = None

    def __post_init__(self) -> None:
        for name in ("purposes", "legal_basis", "recipients", "categories"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _require(bool(self.purposes), "at least one purpose is required (Art. 15(1)(a))")


@dataclass(frozen=True)
class SourceSection:
    """One data source: who holds it for whom, the Art. 15(1) information and the copy."""

    name: str
    owner: str
    info: ProcessingInfo
    categories: Sequence[CategoryData] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        _require(bool(self.name), "source name must not be empty")
        _unique((c.key for c in self.categories), f"category key in source {self.name!r}")

    @property
    def category_labels(self) -> tuple[str, ...]:
        return tuple(self.info.categories) or tuple(c.label for c in self.categories)


@dataclass(frozen=True)
class Exclusion:
    """A category left out of a portability package, so the answer can say why (Art. 12(4))."""

    source: str
    category_key: str
    category_label: str
    reason: ExclusionReason


@dataclass(frozen=True)
class ExportPackage:
    """The whole answer: request metadata, minimal subject display info, one section per source."""

    reference: str
    language: Language
    right: Right
    received_at: datetime
    generated_at: datetime
    subject_name: str
    sources: Sequence[SourceSection]
    excluded: Sequence[Exclusion] = ()
    format_version: str = FORMAT_VERSION
    # When the download link stops working (the package's expiry), for the cover.
    available_until: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "excluded", tuple(self.excluded))
        _require(bool(self.reference), "reference must not be empty")
        _require(self.language in LANGUAGES, f"unsupported language {self.language!r}")
        _require(self.right in RIGHTS, f"unsupported right {self.right!r}")
        _require_aware(self.received_at, "received_at")
        _require_aware(self.generated_at, "generated_at")
        if self.available_until is not None:
            _require_aware(self.available_until, "available_until")
        _unique((s.name for s in self.sources), "source name")

    @property
    def organisations(self) -> tuple[str, ...]:
        """The organisations whose data the package holds, in source order."""
        return tuple(dict.fromkeys(s.owner for s in self.sources if s.owner))

    def categories(self) -> Iterable[tuple[SourceSection, CategoryData]]:
        """Every (source, category) pair in package order."""
        for source in self.sources:
            for category in source.categories:
                yield source, category

    def for_portability(self) -> ExportPackage:
        """The Art. 20 subset: only portable categories; the rest is listed in ``excluded``.

        Sources left without categories are dropped: portability is about the data, and the
        Art. 15(1) information is not part of an Art. 20 answer.
        """
        sources: list[SourceSection] = []
        excluded: list[Exclusion] = list(self.excluded)
        for source in self.sources:
            kept = [c for c in source.categories if c.portable]
            for category in source.categories:
                reason = category.exclusion_reason()
                if reason is not None:
                    excluded.append(Exclusion(source.name, category.key, category.label, reason))
            if kept:
                sources.append(dataclasses.replace(source, categories=tuple(kept)))
        return dataclasses.replace(
            self, right="portability", sources=tuple(sources), excluded=tuple(excluded)
        )
