"""Words for what a reader sees in a package: column and category labels from the source
definition (with a readable fallback, never the raw name), and one label table each for the
legal bases, the recipients' roles and the rights (docs/package.md, "Labels").

The source definition stores its labels as ``{"columns": {name: {"nl": ..., "en": ...,
"about_nl": ..., "about_en": ...}}, "categories": {name: {"nl": ..., "en": ...}},
"tables": {name: {"nl": ..., "en": ...}}}`` (parsed by ``rights.sources.labels``); this
module only reads that plain mapping, so the exporters stay free of the rights layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Labels = Mapping[str, Any]

_SEPARATORS = re.compile(r"[_\-.]+")

# Art. 6(1)(a)-(f) in words, with the article.
BASIS: Mapping[str, Mapping[str, str]] = {
    "consent": {
        "nl": "Toestemming (artikel 6 lid 1 sub a AVG)",
        "en": "Consent (Article 6(1)(a) GDPR)",
    },
    "contract": {
        "nl": "Uitvoering van een overeenkomst (artikel 6 lid 1 sub b AVG)",
        "en": "Performance of a contract (Article 6(1)(b) GDPR)",
    },
    "legal_obligation": {
        "nl": "Wettelijke verplichting (artikel 6 lid 1 sub c AVG)",
        "en": "Legal obligation (Article 6(1)(c) GDPR)",
    },
    "vital_interests": {
        "nl": "Vitaal belang (artikel 6 lid 1 sub d AVG)",
        "en": "Vital interests (Article 6(1)(d) GDPR)",
    },
    "public_task": {
        "nl": "Taak van algemeen belang (artikel 6 lid 1 sub e AVG)",
        "en": "Task in the public interest (Article 6(1)(e) GDPR)",
    },
    "legitimate_interests": {
        "nl": "Gerechtvaardigd belang (artikel 6 lid 1 sub f AVG)",
        "en": "Legitimate interests (Article 6(1)(f) GDPR)",
    },
}

# The roles a recipient has in a source definition.
ROLE: Mapping[str, Mapping[str, str]] = {
    "recipient": {"nl": "ontvanger", "en": "recipient"},
    "sub-processor": {"nl": "subverwerker", "en": "sub-processor"},
    "processor": {"nl": "verwerker", "en": "processor"},
    "controller": {"nl": "verwerkingsverantwoordelijke", "en": "controller"},
    "joint-controller": {
        "nl": "gezamenlijke verwerkingsverantwoordelijke",
        "en": "joint controller",
    },
}

# The rights a request can be about (rights.righttypes.RightType values), in words.
RIGHT: Mapping[str, Mapping[str, str]] = {
    "access": {"nl": "Inzage (artikel 15 AVG)", "en": "Access (Article 15 GDPR)"},
    "rectification": {
        "nl": "Rectificatie (artikel 16 AVG)",
        "en": "Rectification (Article 16 GDPR)",
    },
    "erasure": {"nl": "Wissing (artikel 17 AVG)", "en": "Erasure (Article 17 GDPR)"},
    "restriction": {
        "nl": "Beperking van de verwerking (artikel 18 AVG)",
        "en": "Restriction of processing (Article 18 GDPR)",
    },
    "portability": {
        "nl": "Dataportabiliteit (artikel 20 AVG)",
        "en": "Data portability (Article 20 GDPR)",
    },
    "objection": {"nl": "Bezwaar (artikel 21 AVG)", "en": "Objection (Article 21 GDPR)"},
    "withdraw_consent": {
        "nl": "Intrekking van toestemming (artikel 7 lid 3 AVG)",
        "en": "Withdrawal of consent (Article 7(3) GDPR)",
    },
}


def readable(name: str) -> str:
    """A readable form of a machine name: ``house_number`` gives "House number"."""
    words = _SEPARATORS.sub(" ", name).strip()
    return (words[:1].upper() + words[1:]) if words else name


def _pick(table: Mapping[str, Mapping[str, str]], code: str, language: str) -> str:
    entry = table.get(code)
    return entry.get(language, entry["nl"]) if entry else readable(code)


def basis_label(code: str, language: str) -> str:
    """An Art. 6(1) basis in words; text that is not a known code is shown as written."""
    return table_label(BASIS, code, language)


def role_label(code: str, language: str) -> str:
    """A recipient's role in words; text that is not a known code is shown as written."""
    return table_label(ROLE, code, language)


def right_label(code: str, language: str) -> str:
    return _pick(RIGHT, code, language)


def table_label(table: Mapping[str, Mapping[str, str]], text: str, language: str) -> str:
    """``text`` in words when it is a code of ``table``, else as written (already words)."""
    entry = table.get(text)
    return entry.get(language, entry["nl"]) if entry else text


def _entry(labels: Labels | None, kind: str, name: str) -> Mapping[str, str]:
    found = ((labels or {}).get(kind) or {}).get(name)
    return found if isinstance(found, Mapping) else {}


def column_label(labels: Labels | None, name: str, language: str) -> str:
    """The definition's label of column ``name``, else its readable form."""
    return _entry(labels, "columns", name).get(language) or readable(name)


def column_meaning(labels: Labels | None, name: str, language: str) -> str:
    """What the definition says a column means (``about_nl`` / ``about_en``), or ""."""
    return _entry(labels, "columns", name).get(f"about_{language}", "")


def category_label(labels: Labels | None, name: str, language: str) -> str:
    """The definition's label of category ``name``; a category is named by people, so
    without a label its name is shown as written."""
    return _entry(labels, "categories", name).get(language) or name


def table_name_label(labels: Labels | None, name: str, language: str) -> str:
    return _entry(labels, "tables", name).get(language) or readable(name)


def text_label(labels: Labels | None, text: str, language: str) -> str:
    """A free text the admin wrote in the definition (a retention ground or period, the
    backup rotation) in ``language`` when ``[labels.texts]`` gives it, else as written."""
    return _entry(labels, "texts", text).get(language) or text
