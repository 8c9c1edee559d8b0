"""Internal notes whose body is data read in the officer's words (issue 14): a merge and an
Art. 23 restriction are stored as facts by the domain and said at the edge
(portal/staff/details.py, note_text)."""

from __future__ import annotations

import json

from portal.staff.details import note_text
from rights.models.casework import CaseNote
from tests.glossary import problems


def _note(kind: str, body: str) -> CaseNote:
    return CaseNote(kind=kind, body=body)


def test_an_art_23_note_is_said_in_words(app):
    facts = {
        "grounds": ["art_23_1_d"],
        "review_on": "2026-06-01",
        "withheld": ["Gegevens van het lopende onderzoek"],
        "prejudicial": True,
        "reasons": "Lopend onderzoek.",
    }
    with app.test_request_context():
        text = note_text(_note("art_23_restriction", json.dumps(facts)))
    assert "art_23_1_d" not in text and "2026-06-01" not in text
    assert "1 juni 2026" in text and "Gegevens van het lopende onderzoek" in text
    assert "niet over de beperking ingelicht" in text and text.endswith("Lopend onderzoek.")
    assert problems(text, "nl", html=False, ignore=["Lopend onderzoek."]) == []


def test_other_notes_are_what_a_person_wrote(app):
    with app.test_request_context():
        assert note_text(_note("withdrawal", "Belde op 3 maart.")) == "Belde op 3 maart."
        # An Art. 23 note from before the facts were data: the text as it was written.
        assert note_text(_note("art_23_restriction", "oude tekst")) == "oude tekst"
        merged = note_text(_note("merged", "AVG-ABCD-EFGH"))
    assert merged == "Gesloten als dubbel verzoek; de behandeling loopt via AVG-ABCD-EFGH."
