"""Authentication at the HTTP edge: no token is PUBLIC, a bad token is a 401, a good one a
principal whose `viewer` mirrors its claims."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from starlette.authentication import AuthenticationError
from starlette.testclient import TestClient

from gateway.auth import TokenVerifier, principal_from_claims
from gateway.domain import PrincipalTier, Role
from gateway.regions import load_regions
from gateway.tokens import AUDIENCE, DEMO_ISSUER
from tests.conftest import SECRET, token_for
from tests.unit.test_keys import RSA_KEY, public_jwk

VIEWER = "{ viewer { tier region agency role scope } }"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "tester",
        "tier": "NATIONAL",
        "iss": DEMO_ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def signed(secret: str = SECRET, **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


def unsigned(**overrides: Any) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims(**overrides))}."


def post(client: TestClient, headers: dict[str, str], query: str = VIEWER) -> Any:
    return client.post("/graphql", json={"query": query}, headers=headers)


def test_no_token_is_a_public_caller(client: TestClient) -> None:
    response = post(client, {}, "{ viewer { tier scope } }")
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"tier": "PUBLIC", "scope": "PUBLISHED"}}}


def test_a_public_caller_carries_no_region_agency_or_role(client: TestClient) -> None:
    viewer = post(client, {}).json()["data"]["viewer"]
    assert viewer == {
        "tier": "PUBLIC",
        "region": None,
        "agency": None,
        "role": None,
        "scope": "PUBLISHED",
    }


NONE_ALG_TOKEN = jwt.encode(claims(), None, algorithm="none")  # type: ignore[arg-type]

BAD_TOKENS = {
    "garbage": "Bearer not-a-jwt",
    "three garbage segments": "Bearer aaa.bbb.ccc",
    "alg none via PyJWT": "Bearer " + NONE_ALG_TOKEN,
    "alg none by hand": "Bearer " + unsigned(),
    "alg none by hand with a signature": "Bearer " + unsigned() + "c2lnbmF0dXJl",
    "another secret": "Bearer " + signed("another-secret-" + "y" * 40),
    "HS384 with the right secret": "Bearer " + jwt.encode(claims(), SECRET, algorithm="HS384"),
    "expired beyond the leeway": "Bearer " + signed(exp=int(time.time()) - 120),
    "not yet valid": "Bearer " + signed(nbf=int(time.time()) + 3600),
    "wrong aud": "Bearer " + signed(aud="someone-else"),
    "wrong iss": "Bearer " + signed(iss="https://evil.example"),
    "missing exp": "Bearer " + signed(exp=None),
    "missing iat": "Bearer " + signed(iat=None),
    "missing iss": "Bearer " + signed(iss=None),
    "missing aud": "Bearer " + signed(aud=None),
    "missing sub": "Bearer " + signed(sub=None),
    "missing tier": "Bearer " + signed(tier=None),
    "unknown tier": "Bearer " + signed(tier="PRESIDENT"),
    "lowercase tier": "Bearer " + signed(tier="national"),
    "PUBLIC tier": "Bearer " + signed(tier="PUBLIC"),
    "unknown role": "Bearer " + signed(role="GOD"),
    "PROVINCIAL with a regency code": "Bearer " + signed(tier="PROVINCIAL", region="12.71"),
    "PROVINCIAL without region": "Bearer " + signed(tier="PROVINCIAL"),
    "PROVINCIAL with a bare prefix": "Bearer " + signed(tier="PROVINCIAL", region="1"),
    "PROVINCIAL with an unknown province": "Bearer " + signed(tier="PROVINCIAL", region="99"),
    "PROVINCIAL with a numeric region": "Bearer " + signed(tier="PROVINCIAL", region=12),
    "REGENCY with a province code": "Bearer " + signed(tier="REGENCY", region="12"),
    "REGENCY without region": "Bearer " + signed(tier="REGENCY"),
    "REGENCY with an unknown regency": "Bearer " + signed(tier="REGENCY", region="12.99"),
    "NATIONAL with a region": "Bearer " + signed(tier="NATIONAL", region="12"),
    "OMBUDSMAN with a region": "Bearer " + signed(tier="OMBUDSMAN", region="12.71"),
    "agency not a string": "Bearer " + signed(agency=["12-DINKES"]),
    "Basic scheme": "Basic " + base64.b64encode(b"user:password").decode(),
    "Basic scheme with a good JWT": "Basic " + token_for("NATIONAL"),
    "empty bearer": "Bearer ",
    "bearer without a token": "Bearer",
    "a JWT without a scheme": token_for("NATIONAL"),
}


@pytest.mark.parametrize("authorization", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_a_401_with_www_authenticate_and_no_data(
    client: TestClient, authorization: str
) -> None:
    response = post(client, {"Authorization": authorization})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"]


def test_a_token_expired_within_the_leeway_is_still_accepted(client: TestClient) -> None:
    response = post(client, {"Authorization": "Bearer " + signed(exp=int(time.time()) - 5)})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["tier"] == "NATIONAL"


def test_the_401_message_does_not_echo_the_token(client: TestClient) -> None:
    token = signed("another-secret-" + "y" * 40)
    response = post(client, {"Authorization": "Bearer " + token})
    assert response.status_code == 401
    assert token not in response.text


GOOD = [
    ("NATIONAL", None, None, "ALL"),
    ("NATIONAL", None, "ANALYST", "ALL"),
    ("OMBUDSMAN", None, "ANALYST", "ALL"),
    ("PROVINCIAL", "12", "OPERATOR", "12"),
    ("PROVINCIAL", "31", None, "31"),
    ("REGENCY", "12.71", "ADMIN", "12.71"),
    ("REGENCY", "31.71", "OPERATOR", "31.71"),
]


@pytest.mark.parametrize(("tier", "region", "role", "scope"), GOOD)
def test_a_good_token_makes_the_viewer_reflect_its_claims(
    client: TestClient, tier: str, region: str | None, role: str | None, scope: str
) -> None:
    response = post(client, {"Authorization": f"Bearer {token_for(tier, region, role)}"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "viewer": {
                "tier": tier,
                "region": region,
                "agency": None,
                "role": role,
                "scope": scope,
            }
        }
    }


def test_the_agency_claim_reaches_the_viewer(client: TestClient) -> None:
    token = signed(tier="REGENCY", region="12.71", agency="12.71-DINKES", role="OPERATOR")
    viewer = post(client, {"Authorization": f"Bearer {token}"}).json()["data"]["viewer"]
    assert (viewer["agency"], viewer["region"], viewer["scope"]) == (
        "12.71-DINKES",
        "12.71",
        "12.71",
    )


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_the_bearer_scheme_is_case_insensitive(client: TestClient, scheme: str) -> None:
    response = post(client, {"Authorization": f"{scheme} {token_for('NATIONAL')}"})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["tier"] == "NATIONAL"


REGIONS = load_regions()


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(
        key=SECRET,
        algorithms=("HS256",),
        issuer=DEMO_ISSUER,
        audience=AUDIENCE,
        regions=REGIONS,
    )


def test_verify_returns_the_principal_of_the_claims(verifier: TokenVerifier) -> None:
    token = signed(tier="PROVINCIAL", region="12", agency="12-DINKES", role="OPERATOR", sub="ani")
    principal = verifier.verify(token)
    assert principal.tier is PrincipalTier.PROVINCIAL
    assert (principal.subject, principal.region, principal.agency) == ("ani", "12", "12-DINKES")
    assert principal.role is Role.OPERATOR


def test_verify_refuses_a_token_for_another_audience(verifier: TokenVerifier) -> None:
    with pytest.raises(AuthenticationError, match="invalid token"):
        verifier.verify(signed(aud="lapor-gateway-staging"))


@pytest.mark.parametrize(
    "bad_claims",
    [
        {"sub": "x"},
        {"sub": "x", "tier": "PUBLIC"},
        {"sub": "x", "tier": "REGENCY", "region": "12"},
        {"sub": "x", "tier": "NATIONAL", "role": "analyst"},
        {"sub": "x", "tier": ["NATIONAL"]},
        {"sub": "x", "tier": "NATIONAL", "role": {"ADMIN": True}},
        {"sub": "", "tier": "NATIONAL"},
        {"sub": 7, "tier": "NATIONAL"},
        {"tier": "NATIONAL"},
        {"sub": "x", "tier": "PROVINCIAL", "region": "12.71"},
        {"sub": "x", "tier": "OMBUDSMAN", "region": "12"},
    ],
)
def test_principal_from_claims_refuses_inconsistent_claims(bad_claims: dict[str, Any]) -> None:
    with pytest.raises(AuthenticationError, match="invalid token"):
        principal_from_claims(bad_claims, REGIONS)


async def test_verify_async_gives_the_same_principal(verifier: TokenVerifier) -> None:
    token = signed(tier="REGENCY", region="12.71", role="ADMIN")
    assert await verifier.verify_async(token) == verifier.verify(token)
    with pytest.raises(AuthenticationError, match="invalid token: expired"):
        await verifier.verify_async(signed(exp=int(time.time()) - 120))


RSA_PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


@pytest.mark.parametrize(
    "key",
    [RSA_PUBLIC_PEM, json.dumps(public_jwk(RSA_KEY, "rsa-1")), "ssh-rsa AAAAB3Nza", ""],
    ids=["PEM public key", "JWK", "OpenSSH public key", "empty"],
)
def test_the_demo_verifier_never_takes_a_public_key_as_hmac_secret(key: str) -> None:
    with pytest.raises(ValueError, match="HS256 secret"):
        TokenVerifier(key, ("HS256",), DEMO_ISSUER, AUDIENCE, REGIONS)


@pytest.mark.parametrize("algorithms", [("RS256",), ("HS256", "none"), ("HS384",), ()], ids=str)
def test_the_demo_verifier_is_hs256_only(algorithms: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="HS256 demo tokens only"):
        TokenVerifier(SECRET, algorithms, DEMO_ISSUER, AUDIENCE, REGIONS)


def test_hs256_signed_with_a_public_key_is_refused_in_demo_mode(client: TestClient) -> None:
    signing_input = b".".join(
        base64.urlsafe_b64encode(orjson.dumps(part)).rstrip(b"=")
        for part in ({"alg": "HS256", "typ": "JWT"}, claims())
    )
    mac = hmac.new(RSA_PUBLIC_PEM.encode(), signing_input, hashlib.sha256).digest()
    forged = f"{signing_input.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    response = post(client, {"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "invalid token: bad signature"
