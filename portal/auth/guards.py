"""Role gates for staff and controller pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from portal.security import login_manager
from rights.models.org import Role

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Anonymous -> login page; a logged-in user without the role -> 404 (no hints)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


staff_required = roles_required(Role.OFFICER, Role.ADMIN)
admin_required = roles_required(Role.ADMIN)
controller_required = roles_required(Role.CONTROLLER)
