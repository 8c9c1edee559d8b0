"""One handler per action kind, in one literal registry (no registration by import)."""

from __future__ import annotations

from rights.actions.base import ActionHandler
from rights.actions.changes import (
    EraseHandler,
    LiftRestrictionHandler,
    RectifyHandler,
    RestrictHandler,
)
from rights.actions.export import ExportHandler
from rights.actions.notify import NotifyHandler
from rights.actions.suppress import SuppressHandler
from rights.models.source import ActionKind

__all__ = ["HANDLERS"]

HANDLERS: dict[ActionKind, ActionHandler] = {
    ActionKind.EXPORT: ExportHandler(),
    ActionKind.RECTIFY: RectifyHandler(),
    ActionKind.ERASE: EraseHandler(),
    ActionKind.RESTRICT: RestrictHandler(),
    ActionKind.LIFT_RESTRICTION: LiftRestrictionHandler(),
    ActionKind.SUPPRESS: SuppressHandler(),
    ActionKind.NOTIFY: NotifyHandler(),
}
