"""The legal part of a source definition (docs/legal.md, "Access" and "Portability"): what
the answer may say about Art. 15(1)(g), (h) and 15(2), and each category's own legal basis
and provenance, which decide Art. 20 portability. Nothing here has a default claim: a key
left out of the definition is "not recorded".

Example (in a source's TOML)::

    collected_from_subject = false
    source_of_data = "Kamer van Koophandel"        # 15(1)(g), when not from the subject
    automated_decisions = false                    # 15(1)(h): recorded that there are none
    transfers_outside_eea = true
    transfer_safeguards = "VS: standaardcontractbepalingen (art. 46 lid 2 sub c AVG)"

    [category_info.Contactgegevens]
    legal_basis = "contract"
    provenance = "provided"                        # provided | observed | derived | third_party

    [category_info.Facturen]
    legal_basis = "legal_obligation"
    provenance = "provided"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rights.errors import ValidationFailed

BASES = frozenset(
    {
        "consent",
        "contract",
        "legal_obligation",
        "vital_interests",
        "public_task",
        "legitimate_interests",
    }
)
# WP242 rev.01: provided and observed data are "provided by" the subject; derived data and
# data obtained from others are not.
PROVENANCES = frozenset({"provided", "observed", "derived", "third_party"})
FLAGS = ("collected_from_subject", "automated_decisions", "transfers_outside_eea")
TEXTS = ("automated_decision_making", "transfer_safeguards")


@dataclass(frozen=True)
class CategoryInfo:
    legal_basis: str | None = None
    provenance: str | None = None


def _fail(message: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, code="bad_source_definition", **params)


def parse_legal_info(data: Mapping[str, Any]) -> dict[str, Any]:
    """The legal keys of a parsed TOML definition, validated, as stored JSON (only the keys
    the definition gives). Raises ``ValidationFailed`` (``bad_source_definition``)."""
    out: dict[str, Any] = {}
    for key in FLAGS:
        if key in data:
            if not isinstance(data[key], bool):
                raise _fail(f"{key} must be true or false", key=key)
            out[key] = data[key]
    for key in TEXTS:
        if key in data:
            if not isinstance(data[key], str):
                raise _fail(f"{key} must be text", key=key)
            if data[key].strip():
                out[key] = data[key].strip()
    raw = data.get("category_info", {})
    if not isinstance(raw, dict):
        raise _fail("category_info must be a table of categories")
    categories: dict[str, dict[str, str]] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise _fail(f"category_info.{name} must be a table", category=name)
        basis, provenance = entry.get("legal_basis"), entry.get("provenance")
        if basis is not None and basis not in BASES:
            raise _fail(f"unknown legal basis {basis!r} for {name}", legal_basis=str(basis))
        if provenance is not None and provenance not in PROVENANCES:
            raise _fail(f"unknown provenance {provenance!r} for {name}", category=name)
        categories[str(name)] = {
            k: v for k, v in (("legal_basis", basis), ("provenance", provenance)) if v
        }
    if categories:
        out["category_info"] = categories
    return out


def category_info(stored: Mapping[str, Any] | None, *names: str) -> CategoryInfo:
    """What the definition records for the first of ``names`` it knows, else for ``"*"``
    (every category of the source); empty when nothing."""
    known = (stored or {}).get("category_info") or {}
    for name in (*names, "*"):
        if name in known:
            entry = known[name]
            return CategoryInfo(entry.get("legal_basis"), entry.get("provenance"))
    return CategoryInfo()
