"""One SQLAlchemy session per app context. Views and commands commit once at the edge."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from rights.engine import make_engine

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Database:
    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(
            bind=self.engine, expire_on_commit=False
        )


def get_db(app: Flask | None = None) -> Database:
    db: Database = (app or current_app).extensions["dsr_db"]
    return db


def get_session() -> Session:
    if "db_session" not in g:
        session = get_db().sessionmaker()
        if has_request_context() and request.method in WRITE_METHODS:
            # SQLite: take the write lock up front (BEGIN IMMEDIATE), so a write request
            # never fails half-way on a lock upgrade. Ignored by other databases.
            session.connection(execution_options={"sqlite_immediate": True})
        g.db_session = session
    session_: Session = g.db_session
    return session_


def _close_session(exc: BaseException | None) -> None:
    """End the request's session. Never raises: the response is already made, and a ROLLBACK
    on a connection the database dropped would otherwise turn a rendered page (say, the
    reference of a stored request) into a bare server error. Such a connection is
    invalidated, so the pool never hands it out again."""
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
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
