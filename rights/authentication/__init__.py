"""Strong authentication for officers, admins and controller contacts (docs/security.md,
"authentication and sessions"): the password step with brute-force counters in the
database, a mandatory TOTP second factor with a replay guard, single-use recovery codes,
and what users change about their own account. Account changes admins make are
``rights.administration``.

Flask-free: every function takes the session, ``now``, the actor and the key it needs.
Functions flush, never commit. Audit ``data`` carries ids and codes, never secrets.
"""

from __future__ import annotations

from rights.authentication.login import (
    DEFAULT_LOCK_POLICY,
    LOCK_DURATION,
    MAX_FAILED_CODES,
    MAX_FAILED_PASSWORDS,
    PASSWORD_WINDOW,
    LockPolicy,
    PasswordResult,
    Step,
    check_login_password,
    check_second_factor,
    confirm_enrolment,
    is_locked,
    logout,
    pending_user_ok,
)
from rights.authentication.second_factor import (
    ISSUER,
    RECOVERY_CODE_COUNT,
    TOTP_WINDOW,
    check_totp,
    clear_factor,
    is_enrolled,
    provisioning_uri,
    regenerate_recovery_codes,
    remaining_recovery_codes,
    set_totp_secret,
    start_enrolment,
    totp_secret,
    use_recovery_code,
)
from rights.authentication.self_service import (
    change_password,
    link_fingerprint,
    reauthenticate,
    request_password_reset,
    reset_own_factor,
    set_password_from_link,
)

__all__ = [
    "DEFAULT_LOCK_POLICY",
    "ISSUER",
    "LOCK_DURATION",
    "MAX_FAILED_CODES",
    "MAX_FAILED_PASSWORDS",
    "PASSWORD_WINDOW",
    "RECOVERY_CODE_COUNT",
    "TOTP_WINDOW",
    "LockPolicy",
    "PasswordResult",
    "Step",
    "change_password",
    "check_login_password",
    "check_second_factor",
    "check_totp",
    "clear_factor",
    "confirm_enrolment",
    "is_enrolled",
    "is_locked",
    "link_fingerprint",
    "logout",
    "pending_user_ok",
    "provisioning_uri",
    "reauthenticate",
    "regenerate_recovery_codes",
    "remaining_recovery_codes",
    "request_password_reset",
    "reset_own_factor",
    "set_password_from_link",
    "set_totp_secret",
    "start_enrolment",
    "totp_secret",
    "use_recovery_code",
]
