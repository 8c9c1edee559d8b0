"""OpenDSR status values for every state, and the callback allow-list (docs/api.md)."""

from __future__ import annotations

import pytest

from rights.models.org import Organisation
from rights.models.request import RequestState
from rights.opendsr.allowlist import callback_url_allowed, normalise_origin
from rights.opendsr.status import STATUS


def test_every_state_has_an_opendsr_status() -> None:
    assert set(STATUS) == set(RequestState)
    assert set(STATUS.values()) == {"pending", "in_progress", "completed", "cancelled"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://crm.example.nl/opendsr/callbacks", True),
        ("https://CRM.example.nl:443/cb?x=1", True),
        ("https://crm.example.nl:8443/cb", False),
        ("http://crm.example.nl/cb", False),
        ("https://other.example.nl/cb", False),
        ("https://user:pw@crm.example.nl/cb", False),
        ("https://crm.example.nl.evil.test/cb", False),
        ("http://127.0.0.1:8080/cb", False),
        ("https://crm.example.nl:99999/cb", False),
        ("ftp://crm.example.nl/cb", False),
        ("not a url", False),
    ],
)
def test_callback_urls_must_be_https_on_the_allow_list(url: str, allowed: bool) -> None:
    org = Organisation(callback_allowlist=["https://crm.example.nl"])
    assert callback_url_allowed(org, url) is allowed


def test_loopback_http_only_when_the_configuration_allows_it() -> None:
    org = Organisation(callback_allowlist=[])
    assert callback_url_allowed(org, "http://127.0.0.1:8080/cb", allow_loopback_http=True)
    assert callback_url_allowed(org, "http://[::1]:8080/cb", allow_loopback_http=True)
    assert not callback_url_allowed(org, "http://10.0.0.1/cb", allow_loopback_http=True)
    assert not callback_url_allowed(org, "http://127.0.0.1:8080/cb")


def test_origins_are_normalised() -> None:
    assert normalise_origin("https://CRM.Example.nl:443/") == "https://crm.example.nl"
    assert normalise_origin("https://crm.example.nl:8443") == "https://crm.example.nl:8443"
    assert normalise_origin("http://crm.example.nl") is None
    assert normalise_origin("https://crm.example.nl/path") is None
