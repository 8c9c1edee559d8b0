"""The time the portal acts at. Tests freeze it with ``app.config["CLOCK"]`` (a callable
returning an aware UTC datetime) instead of sleeping."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from rights.db import now_utc


def now() -> datetime:
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else now_utc()
