"""The copy of a subject's confirmed data per source, with each source's Art. 15(1)
information: what an access answer (and an export action's plan) is built from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from rights.keys import SourceKeys
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SubjectMatch
from rights.sources.adapters import CategoryCopy, adapter_for
from rights.sources.legal_info import category_info
from rights.sources.matching import confirmed_matches

__all__ = ["CategoryCopy", "SourceCopy", "export_copies"]


@dataclass(frozen=True)
class SourceCopy:
    """What an access answer needs from one source: Art. 15(1) information and the copy."""

    name: str
    owner: str
    purposes: tuple[str, ...]
    legal_basis: tuple[str, ...]
    retention: str
    recipients: tuple[dict[str, str], ...]
    categories_info: tuple[str, ...]
    source_of_data: str
    categories: tuple[CategoryCopy, ...]
    # Art. 15(1)(g)/(h), 15(2) as the definition records them; None: not recorded.
    collected_from_subject: bool | None = None
    automated_decisions: bool | None = None
    automated_decision_making: str = ""
    transfers_outside_eea: bool | None = None
    transfer_safeguards: str = ""
    # The definition's labels of columns, categories and tables (rights.sources.labels).
    labels: dict[str, Any] = field(default_factory=dict)


def _with_legal(category: CategoryCopy, legal: dict[str, Any]) -> CategoryCopy:
    """The category with its own recorded basis and provenance (SQL keys are
    ``table.category``; a file's category is its file name)."""
    name = category.key.split(".", 1)[1] if "." in category.key else category.label
    info = category_info(legal, name, category.label)
    return replace(category, legal_basis=info.legal_basis, provenance=info.provenance)


def export_copies(
    session: Session,
    request: RightsRequest,
    *,
    key: SourceKeys | bytes,
    source: DataSource | None = None,
) -> list[SourceCopy]:
    """The copy of the confirmed data per source (or of one ``source``), with each source's
    Art. 15(1) information. Raises SourceError when a source cannot be read."""
    by_source: dict[int, list[SubjectMatch]] = {}
    for match in confirmed_matches(session, request, source):
        by_source.setdefault(match.source_id, []).append(match)
    copies = []
    for source_id, matches in sorted(by_source.items()):
        held = session.get(DataSource, source_id)
        assert held is not None
        categories = adapter_for(held).categories(session, held, matches, key=key)
        legal: dict[str, Any] = dict((held.mapping or {}).get("legal") or {})
        copies.append(
            SourceCopy(
                name=held.name,
                owner=held.organisation.name,
                purposes=tuple(held.purposes),
                legal_basis=tuple(held.legal_basis),
                retention=held.retention,
                recipients=tuple(dict(r) for r in held.recipients),
                categories_info=tuple(held.categories),
                source_of_data=held.source_of_data,
                categories=tuple(_with_legal(c, legal) for c in categories),
                collected_from_subject=legal.get("collected_from_subject"),
                automated_decisions=legal.get("automated_decisions"),
                automated_decision_making=str(legal.get("automated_decision_making") or ""),
                transfers_outside_eea=legal.get("transfers_outside_eea"),
                transfer_safeguards=str(legal.get("transfer_safeguards") or ""),
                labels=dict((held.mapping or {}).get("labels") or {}),
            )
        )
    return copies
