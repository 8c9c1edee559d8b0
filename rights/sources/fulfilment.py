"""The names that lived here before discovery, matching, copies and actions got modules of
their own; kept so callers can move at their pace. New code imports from the modules:
:mod:`rights.sources.discovery`, :mod:`rights.sources.matching`, :mod:`rights.sources.copies`,
:mod:`rights.sources.erasure`, :mod:`rights.sources.tasks`, :mod:`rights.actions`.
"""

from rights.actions import execute_action, prepare_action
from rights.sources.adapters.sql import SQL_TIMEOUT_SECONDS, open_sql
from rights.sources.copies import CategoryCopy, SourceCopy, export_copies
from rights.sources.discovery import DiscoveryReport, discover
from rights.sources.erasure import ErasureSummary, erasure_summary
from rights.sources.matching import (
    confirmed_matches,
    controllers_found,
    decide_match,
    match_values,
)
from rights.sources.subject import subject_keys
from rights.sources.tasks import complete_task

__all__ = [
    "SQL_TIMEOUT_SECONDS",
    "CategoryCopy",
    "DiscoveryReport",
    "ErasureSummary",
    "SourceCopy",
    "complete_task",
    "confirmed_matches",
    "controllers_found",
    "decide_match",
    "discover",
    "erasure_summary",
    "execute_action",
    "export_copies",
    "match_values",
    "open_sql",
    "prepare_action",
    "subject_keys",
]
