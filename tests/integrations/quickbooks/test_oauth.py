"""OAuth calls against the fake's token server: consent, exchange, rotation, revoke."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from roofops.integrations.quickbooks.oauth import (
    InvalidGrant,
    OAuthApp,
    OAuthEndpoints,
    OAuthError,
    TokenSet,
    authorization_url,
    exchange_code,
    refresh,
    revoke,
)
from roofops.integrations.quickbooks.schemas import Invoice
from roofops.sandbox.quickbooks.fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.integrations.quickbooks.conftest import REALM, START, Harness

REDIRECT = "http://localhost:8000/integrations/quickbooks/callback"


def _app(qbo: Harness, secret: str = DEFAULT_CLIENT_SECRET) -> OAuthApp:
    return OAuthApp(DEFAULT_CLIENT_ID, secret, OAuthEndpoints.at(qbo.url))


def _connect(qbo: Harness) -> TokenSet:
    url = authorization_url(_app(qbo), REDIRECT, state="csrf-123")
    consent = httpx.get(url, follow_redirects=False)
    assert consent.status_code == 302
    answer = parse_qs(urlsplit(consent.headers["location"]).query)
    assert answer["state"] == ["csrf-123"]
    assert answer["realmId"] == [REALM]
    return exchange_code(_app(qbo), answer["code"][0], REDIRECT, clock=qbo.clock)


def test_consent_and_code_exchange(qbo: Harness) -> None:
    tokens = _connect(qbo)

    assert tokens.expires_at == START + timedelta(hours=1)
    assert tokens.refresh_expires_at == START + timedelta(days=100)
    assert tokens.refresh_hard_expires_at == START + timedelta(days=5 * 365)
    assert tokens.access_usable(START + timedelta(minutes=54))
    assert not tokens.access_usable(START + timedelta(minutes=56))
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    with qbo.client(tokens.access_token) as client:
        assert client.count(Invoice) == 0


def test_a_code_works_once(qbo: Harness) -> None:
    url = authorization_url(_app(qbo), REDIRECT, state="s")
    code = parse_qs(urlsplit(httpx.get(url).headers["location"]).query)["code"][0]
    exchange_code(_app(qbo), code, REDIRECT, clock=qbo.clock)

    with pytest.raises(InvalidGrant):
        exchange_code(_app(qbo), code, REDIRECT, clock=qbo.clock)


def test_refresh_rotates_and_the_old_token_lasts_24_hours(qbo: Harness) -> None:
    first = _connect(qbo)
    qbo.clock.advance(timedelta(hours=2))

    second = refresh(_app(qbo), first.refresh_token, clock=qbo.clock)
    assert second.refresh_token != first.refresh_token

    qbo.clock.advance(timedelta(hours=23))
    retried = refresh(_app(qbo), first.refresh_token, clock=qbo.clock)
    assert retried.refresh_token == second.refresh_token

    qbo.clock.advance(timedelta(hours=1, seconds=1))
    with pytest.raises(InvalidGrant) as stale:
        refresh(_app(qbo), first.refresh_token, clock=qbo.clock)
    assert stale.value.status == 400
    assert refresh(_app(qbo), second.refresh_token, clock=qbo.clock).access_token


def test_wrong_client_secret_is_not_invalid_grant(qbo: Harness) -> None:
    tokens = _connect(qbo)

    with pytest.raises(OAuthError) as refused:
        refresh(_app(qbo, secret="wrong"), tokens.refresh_token, clock=qbo.clock)

    assert not isinstance(refused.value, InvalidGrant)
    assert refused.value.error == "invalid_client"
    assert refused.value.status == 401


def test_revoke_ends_the_connection(qbo: Harness) -> None:
    tokens = _connect(qbo)

    revoke(_app(qbo), tokens.refresh_token)

    with pytest.raises(InvalidGrant):
        refresh(_app(qbo), tokens.refresh_token, clock=qbo.clock)
    api = httpx.get(
        f"{qbo.url}/v3/company/{REALM}/invoice/1",
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    )
    assert api.status_code == 401
    assert api.json()["fault"]["error"][0]["code"] == "3200"
