"""Words for the codes of data sources: kinds, action kinds, erasure modes, recipients'
roles, legal bases (the workspace's words, portal/staff/labels.py). Column and role names
an admin types in a definition are shown as code (``<code>``), everything else in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.controller.labels import OPERATIONS
from portal.staff.labels import BASES

__all__ = [
    "ACTION_KINDS",
    "BASES",
    "ERASURE_MODES",
    "OPERATIONS",
    "RECIPIENT_ROLES",
    "SOURCE_KINDS",
]

SOURCE_KINDS = {
    "sql": _l("SQL database"),
    "file": _l("Uploaded data files"),
    "manual": _l("Manual source (a task for a person)"),
}

ACTION_KINDS = {
    "export": _l("Export (access, portability)"),
    "rectify": _l("Rectify"),
    "erase": _l("Erase"),
    "restrict": _l("Restrict"),
    "lift_restriction": _l("Lift restriction (tells the subject first)"),
    "suppress": _l("Suppress for marketing"),
    "notify": _l("Notify recipients (Art. 19)"),
}

ERASURE_MODES = {
    "delete": _l("rows deleted"),
    "anonymise": _l("columns made anonymous"),
}

RECIPIENT_ROLES = {
    "recipient": _l("recipient"),
    "sub-processor": _l("sub-processor"),
    "processor": _l("processor"),
    "controller": _l("controller"),
}
