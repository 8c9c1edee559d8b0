"""portal.Portal.ensure_sync answers for plain functions and methods at once and leaves
everything else, coroutine functions above all, to Flask's own check."""

from __future__ import annotations

import functools

import pytest
from flask import Flask

from portal import Portal


def plain() -> str:
    return "ok"


async def coroutine() -> str:
    return "ok"


class Hooks:
    def method(self) -> str:
        return "ok"

    async def async_method(self) -> str:
        return "ok"


def _flask_answer(app: Flask, func):
    try:
        return Flask.ensure_sync(app, func)
    except RuntimeError as exc:  # Flask without its async extra
        return exc


def test_plain_functions_and_methods_are_returned_as_they_are(app) -> None:
    assert isinstance(app, Portal)
    hooks = Hooks()
    for func in (plain, hooks.method, functools.partial(plain), len):
        assert app.ensure_sync(func) is func is Flask.ensure_sync(app, func)


@pytest.mark.parametrize("func", [coroutine, Hooks().async_method, functools.partial(coroutine)])
def test_coroutine_functions_go_to_flask(app, func) -> None:
    flask_answer = _flask_answer(app, func)
    if isinstance(flask_answer, RuntimeError):
        with pytest.raises(RuntimeError):
            app.ensure_sync(func)
    else:
        assert app.ensure_sync(func) is not func


def test_every_hook_of_a_request_still_runs(client) -> None:
    response = client.get("/")
    assert response.status_code in (200, 302)
    assert response.headers["Cache-Control"] == "no-store"  # an after-request hook ran
