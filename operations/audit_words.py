"""What ``dsr-portal audit verify`` and ``backup restore`` tell the officer about the audit
trail, in words (docs/architecture.md, "Texts and labels"; "Audit chain"): no codes, the
time of the last intact event in Amsterdam time with the zone named, Dutch or English."""

from __future__ import annotations

from operations.texts import N_, texts
from rights.audit import ChainReport

# rights.audit.PROBLEMS codes in words; ``%(anchor)s`` is the anchor's event number.
PROBLEM_WORDS = {
    "missing": N_("this event is missing: it was deleted"),
    "broken_link": N_(
        "this event does not follow the one before it: an event was deleted, inserted or moved"
    ),
    "changed": N_("this event was changed after it was written"),
    "truncated": N_("the last events are missing: the trail was cut off at the end"),
    "before_anchor": N_(
        "the trail ends before event %(anchor)s, the anchor you gave: this copy is older "
        "than the anchor, or its end was cut off"
    ),
    "anchor_differs": N_("event %(anchor)s, the anchor you gave, is a different event here"),
}


def chain_text(report: ChainReport, language: str) -> str:
    """One or two sentences: intact with the number of events and when the last was written,
    or where the trail breaks, why, and how much before it is intact."""
    t = texts(language)
    when = t.local_dt(report.last_intact_at)
    if report.ok:
        if not report.checked:
            return t.gettext("The audit trail is intact; it holds no events yet.")
        return t.ngettext(
            "The audit trail is intact: %(num)s event, the last one written on %(when)s.",
            "The audit trail is intact: %(num)s events, the last one written on %(when)s.",
            report.checked,
            when=when,
        )
    problem = t.gettext(PROBLEM_WORDS[report.problem], anchor=report.anchor_seq or 0)
    broken = t.gettext(
        "The audit trail is NOT intact at event %(seq)s: %(problem)s.",
        seq=report.first_broken_seq or 0,
        problem=problem,
    )
    if not report.checked:
        return broken + " " + t.gettext("No event before it can be trusted.")
    before = t.ngettext(
        "The %(num)s event before it is intact; it was written on %(when)s.",
        "The %(num)s events before it are intact; the last of them was written on %(when)s.",
        report.checked,
        when=when,
    )
    return f"{broken} {before}"
