"""The staff blueprint; the modules of the workspace attach their routes to it."""

from flask import Blueprint

from portal.staff.labels import (
    flag_label,
    flag_words,
    package_status_words,
    right_words,
    state_words,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.add_app_template_global(state_words, "staff_state_words")
bp.add_app_template_global(right_words, "staff_right_words")
bp.add_app_template_global(flag_words, "staff_flag_words")
bp.add_app_template_global(flag_label, "staff_flag_label")
bp.add_app_template_global(package_status_words, "package_status_words")
