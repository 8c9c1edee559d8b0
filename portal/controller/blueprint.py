"""The controller portal's blueprint (docs/controllers.md, "The controller portal").

Every page is for a logged-in controller contact and shows only their own organisation's
things: anything of another organisation is a 404, the same as an unknown id.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("controller", __name__, url_prefix="/controller")
