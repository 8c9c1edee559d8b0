"""One SQLAlchemy session per app context. Views and commands commit once at the edge."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from rights.engine import make_engine

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
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


def init_app(app: Flask) -> None:
    app.extensions["dsr_db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)
