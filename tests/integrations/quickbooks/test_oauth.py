"""OAuth calls against the fake's token server: consent, exchange, rotation, revoke."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from roofops.integrations.core.oauth import OAUTH_RETRY, OAUTH_TIMEOUT
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
from roofops.kit.http import VendorRateLimited, VendorResponseError, VendorUnavailable
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


# ----- the HTTP exchange itself, against a stand-in token endpoint -------------------------
STAND_IN = OAuthApp("stand-in-id", "stand-in-secret", OAuthEndpoints.at("https://intuit.test"))
BASIC = "Basic " + base64.b64encode(b"stand-in-id:stand-in-secret").decode()
TOKENS = {
    "access_token": "access-new",
    "refresh_token": "refresh-new",
    "token_type": "bearer",
    "expires_in": 3600,
    "x_refresh_token_expires_in": 8_640_000,
    "x_refresh_token_hard_expires_in": 157_680_000,
}
Answer = httpx.Response | Exception


class StandIn:
    """Intuit's token endpoint as scripted answers; keeps every request it was sent."""

    def __init__(self, *answers: Answer, then: Answer | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._answers = list(answers)
        self._then = then

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self._answers.pop(0) if self._answers else self._then
        assert answer is not None, "more requests than scripted answers"
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_a_refresh_is_a_basic_authenticated_form_post_asking_for_the_hard_expiry() -> None:
    intuit = StandIn(httpx.Response(200, json=TOKENS))

    tokens = refresh(STAND_IN, "refresh-old", transport=intuit.transport, clock=lambda: START)

    [sent] = intuit.requests
    assert (sent.method, str(sent.url)) == ("POST", STAND_IN.endpoints.token_url)
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["x-include-refresh-token-hard-expires-in"] == "true"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = parse_qs(sent.content.decode())
    assert form == {"grant_type": ["refresh_token"], "refresh_token": ["refresh-old"]}
    assert sent.extensions["timeout"] == OAUTH_TIMEOUT.as_dict()
    assert tokens.refresh_token == "refresh-new"
    assert tokens.refresh_hard_expires_at == START + timedelta(seconds=157_680_000)


def test_a_code_exchange_sends_the_code_and_redirect_uri() -> None:
    intuit = StandIn(httpx.Response(200, json=TOKENS))

    exchange_code(STAND_IN, "code-1", REDIRECT, transport=intuit.transport, clock=lambda: START)

    form = parse_qs(intuit.requests[0].content.decode())
    assert form == {
        "grant_type": ["authorization_code"],
        "code": ["code-1"],
        "redirect_uri": [REDIRECT],
    }
    assert intuit.requests[0].headers["Authorization"] == BASIC


def test_revoke_posts_the_token_as_json_with_basic_auth() -> None:
    intuit = StandIn(httpx.Response(200))

    revoke(STAND_IN, "refresh-old", transport=intuit.transport)

    [sent] = intuit.requests
    assert str(sent.url) == STAND_IN.endpoints.revoke_url
    assert sent.headers["Authorization"] == BASIC
    assert json.loads(sent.content) == {"token": "refresh-old"}


def test_a_5xx_or_a_refused_connection_is_retried_briefly() -> None:
    intuit = StandIn(
        httpx.Response(503), httpx.ConnectError("refused"), httpx.Response(200, json=TOKENS)
    )
    sleeps = Sleeps()

    tokens = refresh(STAND_IN, "refresh-old", transport=intuit.transport, sleep=sleeps)

    assert tokens.access_token == "access-new"
    assert len(intuit.requests) == 3
    assert len(sleeps) == 2
    assert all(0 <= delay <= OAUTH_RETRY.max_delay for delay in sleeps)


@pytest.mark.parametrize(
    ("answer", "error"),
    [(httpx.Response(503), VendorUnavailable), (httpx.Response(429), VendorRateLimited)],
)
def test_a_token_endpoint_down_for_longer_fails_within_seconds_without_blaming_the_grant(
    answer: httpx.Response, error: type[Exception]
) -> None:
    intuit = StandIn(then=answer)
    sleeps = Sleeps()

    with pytest.raises(error) as caught:
        refresh(STAND_IN, "refresh-old", transport=intuit.transport, sleep=sleeps)

    assert not isinstance(caught.value, OAuthError)  # the connection must not need reauth
    assert sum(sleeps) <= OAUTH_RETRY.give_up_after
    assert len(intuit.requests) == len(sleeps) + 1 > 2


def test_an_unreachable_token_endpoint_is_unavailable() -> None:
    intuit = StandIn(then=httpx.ConnectError("refused"))

    with pytest.raises(VendorUnavailable) as caught:
        refresh(STAND_IN, "refresh-old", transport=intuit.transport, sleep=Sleeps())

    assert "ConnectError" in caught.value.message


def test_a_refusal_never_carries_a_token_or_the_app_secret() -> None:
    echo = {
        "error": "invalid_grant",
        "error_description": "Incorrect or invalid refresh token",
        "echo": f"refresh_token=refresh-old; Authorization: {BASIC}",
    }
    intuit = StandIn(httpx.Response(400, json=echo))

    with pytest.raises(InvalidGrant) as caught:
        refresh(STAND_IN, "refresh-old", transport=intuit.transport)

    assert caught.value.status == 400
    assert caught.value.description == "Incorrect or invalid refresh token"
    shown = f"{caught.value} {caught.value.message} {caught.value.body} {caught.value!r}"
    assert "refresh-old" not in shown
    assert BASIC.split()[1] not in shown
    assert len(intuit.requests) == 1  # a refusal is not retried


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"access_token": "only-this"}),
    ],
)
def test_an_answer_without_tokens_is_a_response_error(answer: httpx.Response) -> None:
    with pytest.raises(VendorResponseError):
        refresh(STAND_IN, "refresh-old", transport=StandIn(answer).transport)
