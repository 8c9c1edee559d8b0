"""Issue 15's done-when, as a controller's system lives it: a key, an erasure created over
the API with a callback URL, the officer sees it in the queue as a controller instruction and
completes it, a signed callback arrives at a receiver on 127.0.0.1 whose signature verifies
against the certificate published at discovery's URL, and the status says completed."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from operations.jobs import JOBS
from portal.worker import run_jobs
from rights import answers
from rights.actions import execute_action, prepare_action
from rights.audit import Actor
from rights.models.request import Outcome
from rights.models.source import ActionKind
from rights.opendsr.signing import verify
from tests.operations.test_callbacks_delivery import receiver
from tests.portal.machine.test_opendsr_casework import _status, _submitted, _world
from tests.rights.controllers.conftest import confirm_all
from tests.rights.sources.conftest import KEY


def test_create_complete_and_hear_back_signed(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    world, a = _world(app, db_session, make_org, make_user, make_request, now)
    with receiver() as box:
        sid, request = _submitted(client, db_session, a, status_callback_urls=[box.url])
        login(world.officer)
        queue = client.get("/staff/").get_data(as_text=True)
        assert request.reference in queue
        assert "Instructie van de verwerkingsverantwoordelijke" in queue

        officer, second = Actor.user(world.officer.id), Actor.user(world.second_officer.id)
        confirm_all(db_session, request, officer, now)
        erase = prepare_action(
            db_session, request, world.a.source, ActionKind.ERASE, actor=officer, now=now, key=KEY
        )
        execute_action(db_session, erase, actor=second, now=now, key=KEY)
        letter = answers.prepare_answer(
            db_session, request, Outcome.FULFILLED, [], "", "Beste Kees,\n\nGewist.",
            actor=officer, now=now,
        )  # fmt: skip
        answers.send_answer(db_session, request, letter, actor=officer, now=now)
        db_session.commit()
        assert run_jobs(app, {"opendsr_callbacks": JOBS["opendsr_callbacks"]}) >= 1

    assert box.calls, "no callback arrived"
    statuses = [json.loads(raw)["request_status"] for _, _, raw in box.calls]
    assert statuses[-1] == "completed"
    _, headers, raw = box.calls[-1]
    assert json.loads(raw)["status_callback_url"] == box.url
    discovery = client.get("/opendsr/v2/discovery").get_json()
    certificate = client.get(urlsplit(discovery["processor_certificate"]).path).data
    assert certificate.startswith(b"-----BEGIN CERTIFICATE-----")
    assert verify(certificate, raw, headers["x-opendsr-signature"])
    assert headers["x-opendsr-processor-domain"] == "localhost"
    assert _status(client, a, sid)["request_status"] == "completed"
