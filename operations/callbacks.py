"""Posting the queued status callbacks (docs/api.md, "Callbacks"): claim due rows oldest
first with a lease and commit the claim, then post each stored body, signed, with a short
timeout and no transaction open, and mark it in its own short write transaction. A 2xx
marks it sent; anything else retries with backoff until it is dead; a URL no longer on the
organisation's allow-list is dead at once without being posted. One failure never ends the
pass, and a row marked sent is never posted again."""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from sqlalchemy.orm import Session

from operations.context import Context
from rights.models.api import CallbackDelivery, CallbackStatus, OpenDsrSubmission
from rights.models.org import Organisation
from rights.opendsr import callbacks
from rights.opendsr.allowlist import callback_url_allowed
from rights.opendsr.signing import Signer, configured_signer, processor_domain

log = logging.getLogger(__name__)

BATCH = 20
TIMEOUT_SECONDS = 5.0
LOOPBACK_ENVIRONMENTS = frozenset({"development", "test"})
NOT_ALLOWED = "callback URL no longer on the allow-list"


def allows_loopback(ctx: Context) -> bool:
    """Loopback http callback URLs: development and test configurations only."""
    return str(ctx.settings.extra.get("ENV_NAME") or "") in LOOPBACK_ENVIRONMENTS


def signer(ctx: Context) -> Signer:
    """The configured pair, or in development and test a self-signed pair made once in the
    instance folder for the processor domain."""
    extra = ctx.settings.extra
    return configured_signer(
        str(extra.get("OPENDSR_KEY_FILE") or ""),
        str(extra.get("OPENDSR_CERT_FILE") or ""),
        development=allows_loopback(ctx),
        instance_path=ctx.settings.instance_path,
        base_url=ctx.settings.base_url,
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed attempt: it could point past the allow-list."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _begin_write(session: Session) -> None:
    """Take SQLite's write lock up front (BEGIN IMMEDIATE) unless a transaction is open."""
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


@dataclass(frozen=True)
class _Outgoing:
    url: str
    body: bytes
    v1: bool


def post(outgoing: _Outgoing, sign: Signer, domain: str, timeout: float) -> str | None:
    """POST the body; None on a 2xx, else a short error without personal data."""
    name = "X-OpenGDPR-" if outgoing.v1 else "X-OpenDSR-"
    headers = {
        "Content-Type": "application/json",
        f"{name}Processor-Domain": domain,
        f"{name}Signature": sign.sign(outgoing.body),
    }
    if not outgoing.url.startswith(("https://", "http://")):
        return "scheme"
    # http(s) only, on the allow-list (checked by the caller just before).
    request = urllib.request.Request(outgoing.url, data=outgoing.body, headers=headers)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(65536)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return type(exc).__name__
    return None if 200 <= status < 300 else f"HTTP {status}"


def _load(ctx: Context, row_id: int) -> _Outgoing | None:
    """The row to post, or None when it is no longer pending or no longer allowed (then it
    is marked dead). Leaves no transaction open."""
    session = ctx.session
    _begin_write(session)
    row = session.get(CallbackDelivery, row_id, populate_existing=True)
    outgoing = None
    if row is not None and row.status is CallbackStatus.PENDING:
        submission = session.get(OpenDsrSubmission, row.submission_id)
        organisation = session.get(Organisation, submission.organisation_id) if submission else None
        if organisation is None or not callback_url_allowed(
            organisation, row.url, allow_loopback_http=allows_loopback(ctx)
        ):
            callbacks.mark_dead(session, row, now=ctx.now(), reason=NOT_ALLOWED)
        else:
            v1 = bool(submission and submission.api_version.startswith("1"))
            outgoing = _Outgoing(row.url, row.body.encode("utf-8"), v1)
    session.commit()
    return outgoing


def _mark(ctx: Context, row_id: int, error: str | None) -> bool:
    session = ctx.session
    _begin_write(session)
    row = session.get(CallbackDelivery, row_id, populate_existing=True)
    sent = False
    if row is not None and row.status is CallbackStatus.PENDING:
        if error is None:
            callbacks.mark_sent(session, row, now=ctx.now())
            sent = True
        else:
            callbacks.mark_failed(session, row, now=ctx.now(), error=error)
    session.commit()
    return sent


def deliver_due(ctx: Context, *, limit: int = BATCH, timeout: float = TIMEOUT_SECONDS) -> int:
    """One pass: how many callbacks were delivered. Commits its own steps, so no
    transaction is held while a controller's server answers."""
    session = ctx.session
    _begin_write(session)
    ids = [row.id for row in callbacks.claim_due(session, now=ctx.now(), limit=limit)]
    session.commit()
    if not ids:
        return 0
    sign, domain = signer(ctx), processor_domain(ctx.settings.base_url)
    delivered = 0
    for row_id in ids:
        try:
            outgoing = _load(ctx, row_id)
            if outgoing is None:
                continue
            error = post(outgoing, sign, domain, timeout)
            if error is not None:
                log.info("callback %s not delivered: %s", row_id, error)
            delivered += _mark(ctx, row_id, error)
        except Exception as exc:
            # The lease brings the row back; the error class only.
            session.rollback()
            log.warning("callback %s: pass step failed: %s", row_id, type(exc).__name__)
    return delivered
