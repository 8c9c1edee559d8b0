"""The case page's timeline in words: consecutive events of the same kind by the same actor
become one line ("38 matches confirmed in 3 sources, by Olga Officier."), every line a
sentence with its actor, in Amsterdam time with the zone named; the events of a group stay
one click away (a <details> element). Views of the case come counted per officer from the
read model ("Case opened 38 times, by Olga Officier, the first time on ..."), so the page
does not grow with every view. docs/architecture.md, "Texts and labels"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext, ngettext

from portal import audit_labels
from portal.staff.labels import state_words
from portal.staff.timeline_details import qualify
from portal.words import local
from rights.readmodels.case import Person, TimelineEvent


@dataclass(frozen=True)
class Line:
    when: datetime  # the first event's moment
    when_text: str
    sentence: str


@dataclass(frozen=True)
class Entry:
    line: Line
    events: tuple[Line, ...]  # the full record of a group (empty for a single event)


def amsterdam(moment: datetime) -> str:
    """``5 mrt. 2026 11:00 CET``: the reader's date, Amsterdam's clock, the zone named."""
    return local(moment)


def _who(event: TimelineEvent, users: Mapping[int, Person]) -> str:
    if event.actor_kind == "user" and event.actor_id is not None and event.actor_id in users:
        return users[event.actor_id].name
    words = {
        "user": gettext("a former user"),
        "subject": gettext("the data subject"),
        "api": gettext("the controller's system"),
    }
    return str(words.get(event.actor_kind, gettext("the system")))


def _what(run: Sequence[TimelineEvent], users: Mapping[int, Person]) -> str:
    first = run[0]
    if first.action == "request.transition":
        states = state_words()
        old, new = (str((first.data or {}).get(k, "")) for k in ("from", "to"))
        return str(
            gettext(
                "State changed from %(old)s to %(new)s",
                old=states.get(old, old),
                new=states.get(new, new),
            )
        )
    what = qualify(audit_labels.counted(first.action, len(run)), run, users)
    sources = {e.data.get("source_id") for e in run if isinstance(e.data, dict)} - {None}
    if len(run) > 1 and len(sources) > 1:
        return str(ngettext("%(what)s in %(num)d source", "%(what)s in %(num)d sources",
                            len(sources), what=what))  # fmt: skip
    return what


def _line(run: Sequence[TimelineEvent], users: Mapping[int, Person]) -> Line:
    first = run[0]
    if first.times > 1 and first.first_at is not None:  # folded: at the last occurrence
        sentence = gettext(
            "%(what)s, by %(who)s, the first time on %(first)s.",
            what=audit_labels.counted(first.action, first.times),
            who=_who(first, users),
            first=amsterdam(first.first_at),
        )
    else:
        sentence = gettext("%(what)s, by %(who)s.", what=_what(run, users), who=_who(first, users))
    return Line(first.occurred_at, amsterdam(first.occurred_at), sentence)


def _same_kind(a: TimelineEvent, b: TimelineEvent) -> bool:
    return (
        a.action == b.action
        and a.action not in audit_labels.SINGLE
        and a.times == b.times == 1
        and (a.actor_kind, a.actor_id) == (b.actor_kind, b.actor_id)
    )


def timeline(events: Sequence[TimelineEvent], users: Mapping[int, Person]) -> list[Entry]:
    """The events (in chain order) as lines; runs of the same kind grouped."""
    runs: list[list[TimelineEvent]] = []
    for event in events:
        if runs and _same_kind(runs[-1][-1], event):
            runs[-1].append(event)
        else:
            runs.append([event])
    return [
        Entry(_line(run, users), tuple(_line([e], users) for e in run) if len(run) > 1 else ())
        for run in runs
    ]
