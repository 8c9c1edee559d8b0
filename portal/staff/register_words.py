"""The register of requests in the officer's words (docs/architecture.md, "Texts and labels"):
one registry of columns, each a header and the words of a row's fact. Rights, states,
outcomes, channels, extension grounds and legal grounds by their labels, times in Amsterdam
time with the zone named ("2 mrt 2026 11:00 CET"), yes and no in words; dates stay dates
(XLSX date cells, ISO dates in CSV). ``rights.register`` collects the facts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.staff.labels import (
    CHANNELS,
    EXTENSION_GROUNDS,
    GROUNDS,
    OUTCOMES,
    RIGHTS,
    STATES,
)
from portal.words import local, per_locale
from rights.register import RegisterRow

MANIFESTLY = {
    "unfounded": _l("Manifestly unfounded"),
    "excessive": _l("Excessive"),
}
_rights, _states, _outcomes = per_locale(RIGHTS), per_locale(STATES), per_locale(OUTCOMES)
_channels, _extensions = per_locale(CHANNELS), per_locale(EXTENSION_GROUNDS)
_grounds, _manifestly = per_locale(GROUNDS), per_locale(MANIFESTLY)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else _("yes") if value else _("no")


def _word(table: Callable[[], dict[str, str]], code: str) -> str:
    return table().get(code, code) if code else ""


Cell = Callable[[RegisterRow], object]
COLUMNS: tuple[tuple[object, Cell], ...] = (
    (_l("Reference"), lambda r: r.reference),
    (_l("Linked requests (group)"), lambda r: r.group_reference),
    (_l("Right"), lambda r: _word(_rights, r.right)),
    (_l("Organisation"), lambda r: r.organisation),
    (_l("Channel"), lambda r: _word(_channels, r.channel)),
    (_l("Received at"), lambda r: local(r.received_at)),
    (_l("Receipt date (the deadline counts from it)"), lambda r: r.receipt_date),
    (_l("Due"), lambda r: r.due),
    (_l("Extended"), lambda r: _yes_no(r.extended)),
    (_l("Ground for the extension"), lambda r: _word(_extensions, r.extension_ground)),
    (_l("Extended due"), lambda r: r.extended_due),
    (_l("Paused days"), lambda r: r.paused_days),
    (_l("State"), lambda r: _word(_states, r.state)),
    (_l("Outcome"), lambda r: _word(_outcomes, r.outcome)),
    (_l("Answered at"), lambda r: local(r.answered_at)),
    (_l("On time"), lambda r: _yes_no(r.on_time)),
    (_l("Legal grounds"), lambda r: "; ".join(_word(_grounds, g) for g in r.grounds)),
    (_l("Refused under Art. 12(5)"), lambda r: _word(_manifestly, r.manifestly)),
)


def headers() -> list[str]:
    return [str(header) for header, _cell in COLUMNS]


def table(rows: Sequence[RegisterRow]) -> list[list[object]]:
    return [[cell(row) for _header, cell in COLUMNS] for row in rows]
