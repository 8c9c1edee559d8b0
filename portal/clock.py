"""The time the portal acts at: the one clock of the edge (views, commands, the worker).
Tests freeze it with ``app.config["CLOCK"]`` (a callable returning an aware UTC datetime)
instead of sleeping."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from rights.db import now_utc


def now(app: Flask | None = None) -> datetime:
    """The current instant of ``app`` (default: the current app)."""
    clock = (app or current_app).config.get("CLOCK")
    return clock() if clock is not None else now_utc()
