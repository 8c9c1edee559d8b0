"""Settings the law leaves to the organisation (docs/legal.md), with the stated
defaults. The portal builds one from configuration and passes it in."""

from __future__ import annotations

from dataclasses import dataclass, field

from rights.deadlines import NLHolidayCalendar


@dataclass(frozen=True)
class Policy:
    # docs/legal.md, "Holidays": Good Friday and Royal-Decree days are off by default.
    calendar: NLHolidayCalendar = field(default_factory=NLHolidayCalendar)
    # docs/legal.md, "Pausing the clock": an information request counts as "without undue delay"
    # within this many working days after receipt or after the previous answer.
    undue_delay_working_days: int = 5
    verification_link_days: int = 7
    unverified_auto_close_days: int = 14
    reopen_window_days: int = 30
    # docs/legal.md (identity, Art. 11(2)/12(6)): an identity question unanswered for this
    # many days closes the request with a notice carrying the complaint text.
    identity_answer_days: int = 30
    # docs/legal.md (storage limitation): a finished case keeps its figures and loses its
    # personal data this many days after it was finished.
    case_retention_days: int = 730
    # docs/legal.md, "Representatives and minors": a parent acting for a child of this age or older
    # goes to manual review; from ``minor_self_from_age`` the minor acts personally and the parent
    # needs a mandate.
    minor_review_from_age: int = 12
    minor_self_from_age: int = 16
