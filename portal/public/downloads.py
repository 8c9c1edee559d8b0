"""Downloads shown on the status page: the released, unexpired export packages of the
request, each behind the step-up code page at ``/download/<token>``."""

from __future__ import annotations

from portal import clock
from portal.db import get_session
from portal.packages import DownloadLink, download_links
from rights.models.request import RightsRequest


def for_status(request: RightsRequest) -> list[DownloadLink]:
    return download_links(get_session(), request, clock.now())
