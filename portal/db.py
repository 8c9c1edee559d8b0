"""One SQLAlchemy session per app context. Views and commands commit once at the edge."""

from __future__ import annotations

import logging
import threading
from collections import deque

from flask import Flask, current_app, g, has_request_context, request
from flask import session as web_session
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from rights.engine import make_engine
from rights.opendsr.callbacks import use_processor_domain
from rights.opendsr.signing import processor_domain

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# As long as SQLite's busy timeout (rights.engine): past it, the request is a 503.
WRITE_WAIT_SECONDS = 10.0


class FairLock:
    """First come, first served among this process's threads. SQLite's own busy handler
    polls: with many writers one can miss every free moment until its timeout runs out,
    so the web process queues its write transactions here before ``BEGIN IMMEDIATE``."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()

    def acquire(self, timeout: float) -> bool:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            if self._cond.wait_for(lambda: self._queue[0] is ticket, timeout):
                return True
            self._queue.remove(ticket)
            self._cond.notify_all()
            return False

    def release(self) -> None:
        with self._cond:
            self._queue.popleft()
            self._cond.notify_all()


class WriteQueueTimeout(OperationalError):
    """The web process's own queue for the SQLite write lock did not move in time."""

    def __init__(self) -> None:
        super().__init__("BEGIN IMMEDIATE", None, TimeoutError("write queue"))


class Database:
    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(
            bind=self.engine, expire_on_commit=False
        )
        self.sqlite = self.engine.dialect.name == "sqlite"
        self.write_lock = FairLock()


def get_db(app: Flask | None = None) -> Database:
    db: Database = (app or current_app).extensions["dsr_db"]
    return db


def get_session() -> Session:
    if "db_session" not in g:
        db = get_db()
        session = g.db_session = db.sessionmaker()
        # The processor domain keys a denial in a status callback (docs/api.md).
        base_url = str(current_app.config.get("BASE_URL") or "")
        use_processor_domain(session, processor_domain(base_url))
        if has_request_context() and _writes(db):
            # SQLite: take the write lock up front (BEGIN IMMEDIATE), in this process's
            # queue first, so a request never fails half-way on a lock upgrade and none
            # waits past the timeout while others pass. Ignored by other databases
            # (docs/security.md, "Nothing lost").
            if db.sqlite:
                if not db.write_lock.acquire(WRITE_WAIT_SECONDS):
                    raise WriteQueueTimeout()
                g.db_write_lock = db.write_lock
            session.connection(execution_options={"sqlite_immediate": True})
    session_: Session = g.db_session
    return session_


def _writes(db: Database) -> bool:
    """Whether this request may write. On SQLite also a staff member's GET and a GET of
    a mailed link (``token``): those pages write audit events, and in WAL mode a read
    transaction that later writes fails at once when another write committed meanwhile.
    Anonymous pages without a token only read and stay out of the writers' queue."""
    if request.method in WRITE_METHODS:
        return True
    if not db.sqlite:
        return False
    return "_user_id" in web_session or "token" in (request.view_args or {})


def _close_session(exc: BaseException | None) -> None:
    """End the request's session. Never raises: the response is already made, and a ROLLBACK
    on a connection the database dropped would otherwise turn a rendered page (say, the
    reference of a stored request) into a bare server error. Such a connection is
    invalidated, so the pool never hands it out again."""
    session: Session | None = g.pop("db_session", None)
    lock: FairLock | None = g.pop("db_write_lock", None)
    try:
        if session is not None:
            _end(session, exc)
    finally:
        if lock is not None:
            lock.release()


def _end(session: Session, exc: BaseException | None) -> None:
    try:
        if exc is not None:
            session.rollback()
        session.close()
    except Exception as failure:
        log.warning("closing the session failed: %s", type(failure).__name__)
        try:
            session.invalidate()
        except Exception as again:
            log.warning("invalidating the session failed: %s", type(again).__name__)


def init_app(app: Flask) -> None:
    app.extensions["dsr_db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)
