"""Plain-language names for rights, grounds and states, shared by the public pages and the
mail to data subjects (B1 Dutch and plain English via the catalogue)."""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.i18n import current_locale
from portal.words import per_locale
from rights import receipt
from rights.models.request import RequestState
from rights.righttypes import RightType

RIGHT_LABELS: dict[str, Any] = {
    RightType.ACCESS: _l("See your data"),
    RightType.RECTIFICATION: _l("Correct your data"),
    RightType.ERASURE: _l("Erase your data"),
    RightType.RESTRICTION: _l("Limit the use of your data"),
    RightType.PORTABILITY: _l("Take your data with you"),
    RightType.OBJECTION: _l("Object"),
    RightType.WITHDRAW_CONSENT: _l("Withdraw your consent"),
}

RIGHT_HINTS: dict[str, Any] = {
    RightType.ACCESS: _l("You get a copy of your data and an explanation of what is done with it."),
    RightType.RECTIFICATION: _l("Something about you is wrong or incomplete."),
    RightType.ERASURE: _l("Your data is deleted, unless the law says it must be kept."),
    RightType.RESTRICTION: _l("Your data is kept, but not used for a while."),
    RightType.PORTABILITY: _l("You get the data you gave in a file, to take to someone else."),
    RightType.OBJECTION: _l(
        "You do not want your data to be used any more, for example for advertising."
    ),
    RightType.WITHDRAW_CONSENT: _l("You gave permission before and now take it back."),
}

ERASURE_GROUNDS: dict[str, Any] = {
    "a": _l("My data is no longer needed for the reason it was collected."),
    "b": _l("I withdraw my consent, and there is no other reason to use my data."),
    "c": _l("I object to the use of my data, and there is no stronger reason to continue."),
    "d": _l("My data is being used unlawfully."),
    "e": _l("The law requires my data to be deleted."),
    "f": _l("My data was collected when I was a child, for an online service."),
}

RESTRICTION_GROUNDS: dict[str, Any] = {
    "a": _l("My data is wrong; limit its use while you check it."),
    "b": _l("My data is used unlawfully, but I want it limited instead of deleted."),
    "c": _l("You no longer need my data, but I need it for a legal claim."),
    "d": _l("I objected; limit the use while you check whose interests weigh more."),
}

STATE_LABELS: dict[str, Any] = {
    RequestState.AWAITING_VERIFICATION: _l("Waiting for you to confirm your e-mail address"),
    RequestState.OPEN: _l("Received; we will start on it soon"),
    RequestState.AWAITING_INFORMATION: _l("We are waiting for your answer to our question"),
    RequestState.FORWARDED: _l("Sent to the organisation that decides on it"),
    RequestState.IN_PROGRESS: _l("We are working on it"),
    RequestState.AWAITING_APPROVAL: _l("Our answer is being checked"),
    RequestState.ANSWERED: _l("Answered"),
    RequestState.WITHDRAWN: _l("Withdrawn by you"),
    RequestState.CLOSED_UNVERIFIED: _l(
        "Closed: we could not confirm that the request came from you"
    ),
    RequestState.CLOSED: _l("Closed"),
}

RELATIONSHIPS: dict[str, Any] = {
    "parent": _l("I am a parent with parental authority over a child (under 18)"),
    "guardian": _l("I am the guardian, curator or mentor"),
    "lawyer": _l("I am the lawyer (advocaat)"),
    "mandate": _l("The person gave me written permission (a mandate)"),
}
# docs/legal.md, "Representatives and minors": a written mandate, or proof of appointment, comes
# with the request (the rule itself: rights.receipt.check_mandate).
MANDATE_REQUIRED = receipt.MANDATE_REQUIRED


def child_age_choices(review_from: int, self_from: int) -> list[tuple[str, str]]:
    """The age bands a parent chooses from (docs/legal.md, "Representatives and minors"),
    translated once per language and pair of ages (every intake POST binds them)."""
    return list(_child_age_choices(str(current_locale()), review_from, self_from))


@functools.lru_cache(maxsize=64)
def _child_age_choices(
    locale: str, review_from: int, self_from: int
) -> tuple[tuple[str, str], ...]:
    # ``locale`` keys the cache: the texts are translated in the request's own language.
    return (
        ("young", _("Younger than %(age)s", age=review_from)),
        ("review", _("%(low)s to %(high)s years", low=review_from, high=self_from - 1)),
        ("own", _("%(age)s years or older", age=self_from)),
    )


_rights = per_locale(RIGHT_LABELS)
_states = per_locale(STATE_LABELS)


def right_label(right: object) -> str:
    code = str(right)
    return _rights().get(code, code)


def state_label(state: object) -> str:
    code = str(state)
    return _states().get(code, code)
