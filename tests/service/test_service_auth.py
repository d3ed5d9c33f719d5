"""The source service's door: only the gateway's short-lived scope tokens for this source."""

import asyncio
import json
import time
from pathlib import Path

import pytest
from starlette.authentication import AuthenticationError
from starlette.testclient import TestClient

from gateway.policy import EVERYTHING
from gateway.registry import SourceConfig
from gateway.service.app import create_service_app
from gateway.service.auth import ScopeTokenVerifier, gateway_keys
from gateway.source_tokens import SourceTokenSigner, load_private_key, public_jwks
from tests.service.conftest import Call, Mint
from tests.service.harness import KeyPair, service_settings

COUNT = '{ count(criteria: {now: "2023-06-01T12:00:00"}) }'


def assert_refused(response: object, reason: str | None = None) -> None:
    status = getattr(response, "status_code", None)
    body = response.json()  # type: ignore[attr-defined]
    assert status == 401
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'  # type: ignore[attr-defined]
    if reason is not None:
        assert reason in body["errors"][0]["message"]


def test_a_good_token_is_answered(call: Call, mint: Mint) -> None:
    response = call(COUNT, token=mint())
    assert response.status_code == 200
    assert response.json() == {"data": {"count": 44}}


def test_no_token_is_refused(call: Call) -> None:
    assert_refused(call(COUNT), "Bearer")


def test_introspection_needs_a_token_too(call: Call, mint: Mint) -> None:
    assert_refused(call("{ __schema { queryType { name } } }"))
    response = call("{ __schema { queryType { name } } }", token=mint())
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer   ", "token"])
def test_a_malformed_authorization_header_is_refused(service: TestClient, header: str) -> None:
    response = service.post("/graphql", json={"query": COUNT}, headers={"Authorization": header})
    assert_refused(response)


def test_a_token_signed_by_another_key_is_refused(
    call: Call, mint: Mint, other_keys: KeyPair
) -> None:
    assert_refused(call(COUNT, token=mint(key=other_keys.private)), "bad signature")


def test_an_expired_token_is_refused(call: Call, mint: Mint) -> None:
    now = int(time.time())
    assert_refused(call(COUNT, token=mint(iat=now - 60, exp=now - 30)), "expired")


def test_a_token_for_another_source_is_refused(call: Call, mint: Mint) -> None:
    assert_refused(call(COUNT, token=mint(aud="reg-12.71")), "wrong audience")


def test_an_audience_list_is_refused_even_when_it_names_this_source(call: Call, mint: Mint) -> None:
    assert_refused(call(COUNT, token=mint(aud=["prov-12", "reg-12.71"])))


def test_a_token_of_another_issuer_is_refused(call: Call, mint: Mint) -> None:
    assert_refused(call(COUNT, token=mint(iss="someone-else")), "wrong issuer")


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "scope"])
def test_every_required_claim_is_required(call: Call, mint: Mint, claim: str) -> None:
    assert_refused(call(COUNT, token=mint(**{claim: None})), f"missing `{claim}`")


def test_a_long_lived_token_is_refused(call: Call, mint: Mint) -> None:
    now = int(time.time())
    assert_refused(call(COUNT, token=mint(iat=now, exp=now + 3600)), "lives too long")


def test_a_token_from_the_future_is_refused(call: Call, mint: Mint) -> None:
    now = int(time.time())
    assert_refused(call(COUNT, token=mint(iat=now + 600, exp=now + 630)))


@pytest.mark.parametrize(
    "scope",
    [
        "everything",
        {"region": None},
        {"region": None, "published_only": "no"},
        {"region": 12, "published_only": False},
        {"region": "12'; --", "published_only": False},
        {"region": None, "published_only": False, "extra": 1},
        {"region": None, "published_only": False, "split": {"region": None}},
    ],
)
def test_a_malformed_scope_claim_is_refused(call: Call, mint: Mint, scope: object) -> None:
    assert_refused(call(COUNT, token=mint(scope=scope)), "bad `scope`")


@pytest.mark.parametrize("algorithm", ["HS256"])
def test_other_algorithms_are_refused(call: Call, mint: Mint, algorithm: str) -> None:
    assert_refused(call(COUNT, token=mint(algorithm=algorithm)), "algorithm")


def test_an_unsigned_token_is_refused(call: Call) -> None:
    header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    assert_refused(call(COUNT, token=f"{header}.e30."), "algorithm")


def test_garbage_is_refused(call: Call) -> None:
    assert_refused(call(COUNT, token="not-a-jwt"))


def test_a_jwks_with_kids_supports_rotation(
    service_db: SourceConfig, keys: KeyPair, other_keys: KeyPair, tmp_path: Path
) -> None:
    """With a JWKS file, both the current and the next key verify; an unknown kid does not."""
    current = SourceTokenSigner.from_file(keys.private)
    upcoming = SourceTokenSigner.from_file(other_keys.private)
    jwks = {
        "keys": [
            *public_jwks(load_private_key(keys.private).public_key())["keys"],
            *public_jwks(load_private_key(other_keys.private).public_key())["keys"],
        ]
    }
    (tmp_path / "jwks.json").write_text(json.dumps(jwks), encoding="utf-8")
    app = create_service_app(service_settings(service_db, tmp_path / "jwks.json"))
    with TestClient(app) as client:
        for signer in (current, upcoming):
            token = signer.sign("prov-12", EVERYTHING)
            response = client.post(
                "/graphql", json={"query": COUNT}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
        signer = SourceTokenSigner.from_file(keys.private)
        signer.kid = "unknown-kid"
        token = signer.sign("prov-12", EVERYTHING)
        response = client.post(
            "/graphql", json={"query": COUNT}, headers={"Authorization": f"Bearer {token}"}
        )
        assert_refused(response, "unknown signing key")


def test_healthz_answers_without_a_token_and_without_data(service: TestClient) -> None:
    response = service.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_get_is_not_served(service: TestClient) -> None:
    assert service.get("/graphql", params={"query": COUNT}).status_code == 405


async def test_a_remembered_token_still_expires(keys: KeyPair, mint: Mint) -> None:
    """Verified tokens are remembered, but never past their `exp`."""
    verifier = ScopeTokenVerifier(
        gateway_keys(keys.public), "lapor-gateway", "prov-12", leeway_seconds=0
    )
    now = int(time.time())
    token = mint(iat=now, exp=now + 1)
    assert (await verifier.verify(token)).scope == EVERYTHING
    assert (await verifier.verify(token)).scope == EVERYTHING
    await asyncio.sleep(now + 1.05 - time.time())
    with pytest.raises(AuthenticationError, match="expired"):
        await verifier.verify(token)
