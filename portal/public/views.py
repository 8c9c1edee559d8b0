"""Public pages for data subjects: start page, choice of organisation and rights
(``start``), the request form (``intake``), the e-mail confirmation link (``verify``), the
status page with answers, withdrawal and "lost your link?" (``status``).

Importing this module registers every page on ``bp``.
"""

from __future__ import annotations

from portal.public import intake, letters, start, status, verify
from portal.public.blueprint import bp
from portal.public.verify import status_token

__all__ = ["bp", "intake", "letters", "start", "status", "status_token", "verify"]
