"""The actions that fulfil a request: one handler per action kind (plan, apply), one gate
before every apply, the preview check, and the states of an action as data."""

from rights.actions.execution import execute_action, prepare_action

__all__ = ["execute_action", "prepare_action"]
