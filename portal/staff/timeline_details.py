"""What a timeline line adds to an event's label from the event's own data: for an action
carried out on a controller's instruction, who gave it (docs/controllers.md, "Approvals and
the gate"). A registry per audit action; an action without an entry adds nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flask_babel import gettext

from rights.readmodels.case import Person, TimelineEvent


def _instructed(event: TimelineEvent, users: Mapping[int, Person]) -> str:
    data = event.data if isinstance(event.data, dict) else {}
    if data.get("instructed_via") == "api":
        return str(
            gettext(
                "on the instruction the controller's system sent through the API (key %(prefix)s)",
                prefix=data.get("api_key_prefix") or "?",
            )
        )
    if data.get("instructed_via") == "contact":
        contact = users.get(int(data.get("instructed_by") or 0))
        name = contact.name if contact is not None else str(gettext("a former contact"))
        return str(gettext("on the instruction of %(name)s, the controller's contact", name=name))
    return ""


DETAILS: dict[str, Callable[[TimelineEvent, Mapping[int, Person]], str]] = {
    "source_action.executed": _instructed,
}


def qualify(what: str, run: Sequence[TimelineEvent], users: Mapping[int, Person]) -> str:
    """``what`` with the detail the run's events share ("Action carried out on the
    instruction of Jan Jansen, the controller's contact"); unchanged when they differ."""
    detail = DETAILS.get(run[0].action)
    if detail is None:
        return what
    words = {detail(event, users) for event in run}
    if len(words) != 1 or not (only := words.pop()):
        return what
    return str(gettext("%(what)s %(detail)s", what=what, detail=only))
