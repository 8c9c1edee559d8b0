"""The register's refusals (``rights.incidents.register`` codes) as messages on the field
they concern, in the officer's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from rights.errors import DomainError

# code: (field name, message). A field the form does not have puts the message on the
# form as a whole (shown in the error summary).
REFUSALS: dict[str, tuple[str, Any]] = {
    "incident_title": ("title", _l("Give the incident a short title.")),
    "incident_discovered_future": (
        "discovered_at",
        _l("The moment of discovery cannot be in the future."),
    ),
    "incident_aware_future": ("aware_at", _l("This moment cannot be in the future.")),
    "incident_aware_before": (
        "aware_at",
        _l("We cannot have become aware of a breach before it was discovered, or in the future."),
    ),
    "incident_number": ("approx_subjects", _l("Enter a whole number, or leave it empty.")),
    "incident_categories": ("data_categories", _l("At most 50 categories.")),
    "incident_sources": ("source_ids", _l("Choose data sources and files from the list.")),
    "incident_reference": ("title", _l("Please try again.")),
    "not_breach_reason": ("not_breach_reason", _l("Say why this is not a personal-data breach.")),
    "incident_risk": ("risk", _l("Choose the risk to the people concerned.")),
    "risk_reasons": ("risk_reasons", _l("Give the reasons for this risk assessment.")),
    "recurrence_required": (
        "recurrence",
        _l("A breach closes only with the measures against recurrence written down."),
    ),
    "ap_not_needed": (
        "notified_at",
        _l("No notification to the AP is needed: only for our own data in a breach with a risk."),
    ),
    "ap_notified_at": (
        "notified_at",
        _l("The notification cannot be before we became aware of the breach, or in the future."),
    ),
    "ap_delay_reasons": (
        "delay_reasons",
        _l("The notification came after 72 hours: give the reasons for the delay."),
    ),
    "not_assessed": ("close", _l("Assess the incident before you close it.")),
    "incident_closed": ("close", _l("The incident is closed; it can no longer be changed.")),
    "invalid_transition": ("close", _l("This step is not possible in the incident's state.")),
    "incident_stale": (
        "",
        _l(
            "Someone else saved this incident after you opened the page, so nothing was "
            "saved. What you entered is still in the form: check the incident and save again."
        ),
    ),
}
OTHER = _l("Check your input.")


def refuse(form: FlaskForm, exc: DomainError) -> None:
    """Put the refusal's message on its field (or on the form)."""
    name, message = REFUSALS.get(exc.code, ("", OTHER))
    if name and name in form:
        form[name].errors = [str(message)]
    else:
        form.form_errors.append(str(message))
