"""The staff blueprint; the modules of the workspace attach their routes to it."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
