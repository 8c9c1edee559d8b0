"""The rows of the queue table as plain words, built in one pass in Python.

Rendering a macro per cell (state, right, flags, due marker, date) cost about 2 ms per row;
the words are the same for every row of a language (``portal.words``) and the dates of one
page repeat, so they are translated and formatted once per page here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l

from portal.staff.labels import flag_label, flag_words, right_words, state_words
from portal.words import per_locale
from rights.queue import QueueItem

# The words of the due marker (overdue and at-risk rows get an icon AND words, never colour
# alone); the same texts as the case page's marker (templates/staff/_macros.html).
_MARKERS = per_locale({"done": _l("done"), "unknown": _l("Unknown yet"), "nobody": _l("nobody")})
_COUNTED: dict[str, Callable[[int], str]] = {
    "overdue": lambda n: ngettext("Overdue by %(num)s day", "Overdue by %(num)s days", n),
    "soon": lambda n: ngettext("Due in %(num)s day", "Due in %(num)s days", n),
    "left": lambda n: ngettext("%(num)s day left", "%(num)s days left", n),
}


@dataclass(frozen=True)
class QueueRow:
    reference: str
    url: str
    right: str
    flags: tuple[str, ...]
    organisation: str
    state: str
    assignee: str
    marker: str  # "done", "overdue", "soon" or "left"
    marker_text: str
    due_iso: str
    due_text: str
    extended: bool
    instructed: bool = False  # a controller's instruction (docs/controllers.md)


def queue_rows(requests: Iterable[QueueItem], today: date) -> list[QueueRow]:
    states, rights, flags, words = state_words(), right_words(), flag_words(), _MARKERS()
    prefix = url_for("staff.case", reference="_")[:-1]
    days_text: dict[date, str] = {}
    marker_texts: dict[tuple[str, int], str] = {}  # one plural look-up per marker and count
    rows = []
    for r in requests:
        due = r.effective_due
        if due not in days_text:
            days_text[due] = format_date(due, "EEE d MMM yyyy")
        days = (due - today).days
        if r.queue_due is None:
            marker, n = "done", 0
        elif days < 0:
            marker, n = "overdue", -days
        else:
            marker, n = ("soon" if days <= 7 else "left"), days
        rows.append(
            QueueRow(
                reference=r.reference,
                url=prefix + quote(r.reference, safe=""),
                right=rights.get(r.right.value, r.right.value),
                flags=tuple(flag_label(f, r.right.value, flags) for f in r.review_flags or ()),
                organisation=r.organisation or words["unknown"],
                state=states.get(r.state.value, r.state.value),
                assignee=r.assignee or words["nobody"],
                marker=marker,
                marker_text=_marker_text(marker, n, words, marker_texts),
                due_iso=due.isoformat(),
                due_text=days_text[due],
                extended=r.extended,
                instructed=r.instructed,
            )
        )
    return rows


def _marker_text(
    marker: str, n: int, words: dict[str, str], cache: dict[tuple[str, int], str]
) -> str:
    if marker == "done":
        return words["done"]
    key = (marker, n)
    if key not in cache:
        cache[key] = str(_COUNTED[marker](n))
    return cache[key]
