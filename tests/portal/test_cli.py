from __future__ import annotations

from sqlalchemy import func, select

from rights.models.org import Organisation, User
from rights.models.request import RequestState, RightsRequest


def test_demo_load_is_idempotent_and_prints_logins(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "officer@demo.example" in first.output
    counts = (
        db_session.scalar(select(func.count(User.id))),
        db_session.scalar(select(func.count(RightsRequest.id))),
    )
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert counts == (
        db_session.scalar(select(func.count(User.id))),
        db_session.scalar(select(func.count(RightsRequest.id))),
    )
    assert db_session.scalar(select(func.count(Organisation.id))) == 3
    states = set(db_session.scalars(select(RightsRequest.state)))
    assert {
        RequestState.AWAITING_VERIFICATION,
        RequestState.OPEN,
        RequestState.AWAITING_INFORMATION,
    } <= states


def test_create_user_command(app, db_session):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "New@Example.org",
            "--name",
            "N",
            "--role",
            "officer",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is not None


def test_config_check_lists_problems_of_a_test_config(app):
    result = app.test_cli_runner().invoke(args=["config", "check"])
    assert "PORTAL_BASE_URL must be an https:// URL" in result.output


def test_worker_once_command(app):
    result = app.test_cli_runner().invoke(args=["worker", "run", "--once"])
    assert result.exit_code == 0 and "sent 0" in result.output


def test_the_development_server_links_to_where_it_listens():
    """`PORT=5101 make run` used to send mail links to http://localhost:5000/."""
    from portal.cli import dev_url

    assert dev_url("127.0.0.1", 5101) == "http://localhost:5101"
    assert dev_url("0.0.0.0", 8000) == "http://localhost:8000"
    assert dev_url("192.0.2.10", 8000) == "http://192.0.2.10:8000"
