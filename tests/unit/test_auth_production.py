"""Production authentication end to end: RS256/ES256 tokens against a JWKS file or URL.

Every app here is `create_app(GatewaySettings(mode="production", ...))` over a one-source
SQLite registry; keys are real RSA and EC keys, and the JWKS URL is a real HTTP server on
127.0.0.1 whose hits are counted.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from starlette.testclient import TestClient

from gateway.app import build_verifier, create_app
from gateway.auth import DemoOrJwksVerifier, JwksVerifier
from gateway.cli import main
from gateway.errors import ConfigurationError
from gateway.federation.ids import demo_node_id_key
from gateway.registry import SourceConfig, write_registry
from gateway.settings import GatewaySettings, load_settings
from gateway.sources.sql import create_source_engine
from gateway.tokens import DEMO_ISSUER
from tests.conftest import SECRET, token_for
from tests.factories import SourceWorld, make_agency, make_complaint, write_world
from tests.unit.test_keys import (
    EC_KEY,
    EC_KEY_2,
    RSA_KEY,
    RSA_KEY_2,
    JwksServer,
    public_jwk,
    sign,
    write_jwks,
)

ISSUER = "https://sso.lapor.go.id/realms/lapor"
AUDIENCE = "lapor-gateway"
VIEWER = "{ viewer { tier region agency role scope } }"
OTHER_RSA_KEY = RSA_KEY_2  # never published under the kids below


@pytest.fixture(autouse=True)
def no_lapor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read `LAPOR_*` variables; the developer's shell must not leak into tests."""
    for name in os.environ:
        if name.startswith("LAPOR_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("production-auth")
    source = SourceConfig("reg-12.71", "sql", f"sqlite+aiosqlite:///{tmp}/medan.db", ("12.71",))
    world = SourceWorld(agencies=[make_agency("12.71")], complaints=[make_complaint("12.71")])

    async def build() -> None:
        engine = create_source_engine(source)
        await write_world(engine, world)
        await engine.dispose()

    asyncio.run(build())
    path = tmp / "registry.toml"
    write_registry(path, [source])
    return path


def production(registry: Path, **settings: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "node_id_key_file": demo_node_id_key(registry.parent),
        **settings,
    }
    return GatewaySettings(mode="production", registry=registry, **values)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "5f0c-analyst",
        "tier": "NATIONAL",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def rs256(kid: str | None = "rsa-1", **overrides: Any) -> str:
    return sign(RSA_KEY, kid, claims(**overrides))


def es256(kid: str | None = "ec-1", **overrides: Any) -> str:
    return sign(EC_KEY, kid, claims(**overrides))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def handmade(header: dict[str, Any], payload: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token built without PyJWT's guards: `alg: none`, or HMAC with any bytes as secret."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if hmac_key is None:
        return signing_input + "."
    digest = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(digest)}"


RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
RSA_PUBLIC_JWK = public_jwk(RSA_KEY, "rsa-1")


def post(client: TestClient, token: str | None, query: str = VIEWER) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/graphql", json={"query": query}, headers=headers)


def assert_unauthenticated(response: Any) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    body: dict[str, Any] = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    return body


@pytest.fixture(scope="module")
def jwks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    return write_jwks(path, RSA_PUBLIC_JWK, public_jwk(EC_KEY, "ec-1"))


@pytest.fixture(scope="module")
def client(registry: Path, jwks_file: Path) -> Iterator[TestClient]:
    with TestClient(create_app(production(registry, jwt_jwks_file=jwks_file))) as test_client:
        yield test_client


# --- good tokens -------------------------------------------------------------------------------

IDENTITIES = [
    ("NATIONAL", None, None, "ANALYST", "ALL"),
    ("NATIONAL", None, "KL-KEMENKES", "ADMIN", "ALL"),
    ("OMBUDSMAN", None, None, "ANALYST", "ALL"),
    ("PROVINCIAL", "12", "12-DINKES", "OPERATOR", "12"),
    ("PROVINCIAL", "31", None, None, "31"),
    ("REGENCY", "12.71", "12.71-DINKES", "OPERATOR", "12.71"),
    ("REGENCY", "31.71", None, "ADMIN", "31.71"),
]


@pytest.mark.parametrize("mint", [rs256, es256], ids=["RS256", "ES256"])
@pytest.mark.parametrize(
    ("tier", "region", "agency", "role", "scope"),
    IDENTITIES,
    ids=[f"{tier}-{region or agency or role}" for tier, region, agency, role, _ in IDENTITIES],
)
def test_a_good_token_makes_the_viewer_mirror_its_claims(
    client: TestClient,
    mint: Any,
    tier: str,
    region: str | None,
    agency: str | None,
    role: str | None,
    scope: str,
) -> None:
    token = mint(tier=tier, region=region, agency=agency, role=role)
    response = post(client, token)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "viewer": {
                "tier": tier,
                "region": region,
                "agency": agency,
                "role": role,
                "scope": scope,
            }
        }
    }


def test_no_token_is_still_a_public_caller(client: TestClient) -> None:
    response = post(client, None, "{ viewer { tier scope } }")
    assert response.json() == {"data": {"viewer": {"tier": "PUBLIC", "scope": "PUBLISHED"}}}


def test_a_token_expired_within_the_leeway_is_accepted(client: TestClient) -> None:
    response = post(client, rs256(exp=int(time.time()) - 10))
    assert response.status_code == 200, response.text


# --- bad tokens --------------------------------------------------------------------------------

NOW = int(time.time())
BAD_TOKENS: dict[str, str] = {
    # The eleven of the issue.
    "alg none": handmade({"alg": "none", "kid": "rsa-1", "typ": "JWT"}, claims(), None),
    "HS256 signed with the RSA public key (PEM)": handmade(
        {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, claims(), RSA_PUBLIC_PEM
    ),
    "expired": rs256(exp=NOW - 120),
    "not yet valid": rs256(nbf=NOW + 3600),
    "wrong aud": rs256(aud="lapor-gateway-staging"),
    "wrong iss": rs256(iss="https://evil.example/realms/lapor"),
    "unknown kid": sign(OTHER_RSA_KEY, "rsa-9", claims()),
    "missing claims (exp)": rs256(exp=None),
    "malformed claims (unknown tier)": rs256(tier="PRESIDENT"),
    "region of the wrong level (PROVINCIAL with a regency)": rs256(
        tier="PROVINCIAL", region="12.71"
    ),
    "garbage": "not-a-jwt",
    # Variants of the same attacks.
    "alg none without a kid": handmade({"alg": "none"}, claims(), None),
    "alg None, capitalised": handmade({"alg": "None", "kid": "rsa-1"}, claims(), None),
    "HS256 signed with the RSA public key (JWK JSON)": handmade(
        {"alg": "HS256", "kid": "rsa-1"}, claims(), json.dumps(RSA_PUBLIC_JWK).encode()
    ),
    "HS256 signed with the RSA public key (PEM, no kid)": handmade(
        {"alg": "HS256"}, claims(), RSA_PUBLIC_PEM
    ),
    "HS256 with the demo secret": handmade(
        {"alg": "HS256", "kid": "rsa-1"}, claims(), SECRET.encode()
    ),
    "RS256 signed by another key under a known kid": sign(OTHER_RSA_KEY, "rsa-1", claims()),
    "ES256 token naming the RSA kid": sign(EC_KEY, "rsa-1", claims()),
    "RS256 token naming the EC kid": sign(RSA_KEY, "ec-1", claims()),
    "RS384 with the published RSA key": sign(RSA_KEY, "rsa-1", claims(), alg="RS384"),
    "PS256 with the published RSA key": sign(RSA_KEY, "rsa-1", claims(), alg="PS256"),
    "ES256 signed by another EC key": sign(EC_KEY_2, "ec-1", claims()),
    "no kid": rs256(kid=None),
    "kid not a string": handmade({"alg": "RS256", "kid": 1}, claims(), None) + "c2ln",
    "critical header": jwt.encode(
        claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1", "crit": ["exp"]}
    ),
    "expired beyond the leeway": rs256(exp=NOW - 31 - 5),
    "wrong aud in a list": rs256(aud=["someone", "else"]),
    "missing iss": rs256(iss=None),
    "missing aud": rs256(aud=None),
    "missing sub": rs256(sub=None),
    "missing tier": rs256(tier=None),
    "empty sub": rs256(sub=""),
    "numeric sub": rs256(sub=42),
    "PUBLIC tier": rs256(tier="PUBLIC"),
    "lowercase tier": rs256(tier="national"),
    "tier not a string": rs256(tier=["NATIONAL"]),
    "unknown role": rs256(role="GOD"),
    "role not a string": rs256(role={"name": "ADMIN"}),
    "agency not a string": rs256(agency=12),
    "REGENCY with a province": es256(tier="REGENCY", region="12"),
    "REGENCY without region": es256(tier="REGENCY"),
    "PROVINCIAL with an unknown province": es256(tier="PROVINCIAL", region="99"),
    "NATIONAL with a region": rs256(region="12"),
    "OMBUDSMAN with a region": rs256(tier="OMBUDSMAN", region="12.71"),
    "three garbage segments": "aaa.bbb.ccc",
    "garbage header": "e30K.e30K.e30K",
    "header not an object": f"{b64(b'[1]')}.{b64(b'{}')}.c2ln",
    "deeply nested header": f"{b64(b'[' * 5000)}.e30.c2ln",
    "header not UTF-8": b64(b'{"alg": "\xff"}') + ".e30.c2ln",
    "a JWKS document as token": b64(json.dumps(RSA_PUBLIC_JWK).encode()),
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_a_401_with_a_short_reason(client: TestClient, token: str) -> None:
    body = assert_unauthenticated(post(client, token))
    message: str = body["errors"][0]["message"]
    assert message.startswith("invalid token")
    assert len(message) < 80, message
    for secret in (RSA_PUBLIC_JWK["n"][:16], "BEGIN", token[:40], "Traceback", "jwt."):
        assert secret not in message


def test_the_hs256_demo_token_is_refused_in_production(client: TestClient) -> None:
    assert_unauthenticated(post(client, token_for("NATIONAL")))
    demo_style = jwt.encode(claims(iss=DEMO_ISSUER), SECRET, algorithm="HS256")
    assert_unauthenticated(post(client, demo_style))


def test_a_production_gateway_never_has_an_hs256_secret(registry: Path, jwks_file: Path) -> None:
    with pytest.raises(ValueError, match="only in demo mode"):
        production(registry, jwt_jwks_file=jwks_file, jwt_secret=SECRET)
    sneaked = GatewaySettings.model_construct(
        mode="production",
        registry=registry,
        jwt_jwks_file=jwks_file,
        jwt_secret=GatewaySettings(mode="demo", registry=registry, jwt_secret=SECRET).jwt_secret,
    )
    with pytest.raises(ConfigurationError, match="only in demo mode"):
        build_verifier(sneaked)


def test_the_401_reason_names_the_failure(client: TestClient) -> None:
    reasons = {
        name: assert_unauthenticated(post(client, BAD_TOKENS[name]))["errors"][0]["message"]
        for name in (
            "expired",
            "wrong aud",
            "unknown kid",
            "missing claims (exp)",
            "alg none",
            "HS256 signed with the RSA public key (PEM)",
            "ES256 token naming the RSA kid",
            "no kid",
            "region of the wrong level (PROVINCIAL with a regency)",
        )
    }
    assert reasons == {
        "expired": "invalid token: expired",
        "wrong aud": "invalid token: wrong audience",
        "unknown kid": "invalid token: unknown signing key",
        "missing claims (exp)": "invalid token: missing `exp`",
        "alg none": "invalid token: algorithm not accepted",
        "HS256 signed with the RSA public key (PEM)": "invalid token: algorithm not accepted",
        "ES256 token naming the RSA kid": "invalid token: algorithm does not match the signing key",
        "no kid": "invalid token: no `kid`",
        "region of the wrong level (PROVINCIAL with a regency)": (
            "invalid token: `region` must be a province code"
        ),
    }


# --- key rotation and the JWKS file ------------------------------------------------------------


@pytest.fixture
def rotating_file(tmp_path: Path) -> Path:
    return write_jwks(tmp_path / "jwks.json", RSA_PUBLIC_JWK)


def test_a_kid_added_to_the_file_is_picked_up(registry: Path, rotating_file: Path) -> None:
    app = create_app(production(registry, jwt_jwks_file=rotating_file))
    with TestClient(app) as client:
        assert post(client, rs256()).status_code == 200
        assert_unauthenticated(post(client, es256(kid="ec-2025")))
        write_jwks(rotating_file, RSA_PUBLIC_JWK, public_jwk(EC_KEY, "ec-2025"))
        response = post(client, es256(kid="ec-2025", tier="REGENCY", region="12.71"))
        assert response.status_code == 200, response.text
        assert response.json()["data"]["viewer"]["region"] == "12.71"
        assert post(client, rs256()).status_code == 200


def test_the_settings_may_allow_one_algorithm_only(registry: Path, jwks_file: Path) -> None:
    app = create_app(production(registry, jwt_jwks_file=jwks_file, jwt_algorithms=["ES256"]))
    with TestClient(app) as client:
        assert post(client, es256()).status_code == 200
        assert_unauthenticated(post(client, rs256()))


def test_the_issuer_and_audience_come_from_the_settings(registry: Path, jwks_file: Path) -> None:
    settings = production(registry, jwt_jwks_file=jwks_file, jwt_issuer="https://other.idp")
    with TestClient(create_app(settings)) as client:
        assert_unauthenticated(post(client, rs256()))
        assert post(client, rs256(iss="https://other.idp")).status_code == 200


# --- the JWKS URL ------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[JwksServer]:
    jwks = JwksServer(RSA_PUBLIC_JWK, public_jwk(EC_KEY, "ec-1"))
    yield jwks
    jwks.close()


def url_client(registry: Path, server: JwksServer, **settings: Any) -> TestClient:
    return TestClient(create_app(production(registry, jwt_jwks_url=server.url, **settings)))


def test_jwks_url_keys_are_fetched_at_start_and_then_served_from_the_cache(
    registry: Path, server: JwksServer
) -> None:
    with url_client(registry, server) as client:
        assert server.hits == 1
        for mint in (rs256, es256) * 10:
            assert post(client, mint()).status_code == 200
        assert server.hits == 1


def test_a_kid_added_at_the_url_is_picked_up_after_the_refresh_interval(
    registry: Path, server: JwksServer
) -> None:
    with url_client(registry, server, jwks_refresh_seconds=1) as client:
        server.keys.append(public_jwk(RSA_KEY_2, "rsa-2026"))
        rotated = sign(RSA_KEY_2, "rsa-2026", claims(tier="PROVINCIAL", region="12"))
        # The start-up fetch was just now: an unknown kid waits for the interval.
        assert_unauthenticated(post(client, rotated))
        assert server.hits == 1
        time.sleep(1.05)
        response = post(client, rotated)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["viewer"]["region"] == "12"
        assert server.hits == 2
        assert post(client, rs256()).status_code == 200


def test_an_unknown_kid_flood_costs_at_most_one_fetch_per_interval(
    registry: Path, server: JwksServer
) -> None:
    with url_client(registry, server, jwks_refresh_seconds=1) as client:
        time.sleep(1.05)  # past the start-up fetch: the flood may cause exactly one fetch

        def attempt(_: int) -> int:
            token = sign(OTHER_RSA_KEY, uuid.uuid4().hex, claims())
            return int(post(client, token).status_code)

        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(attempt, range(50)))
        assert statuses == [401] * 50
        assert server.hits == 2
        assert post(client, rs256()).status_code == 200
        assert server.hits == 2


def test_with_the_default_interval_a_flood_fetches_nothing_after_start(
    registry: Path, server: JwksServer
) -> None:
    with url_client(registry, server) as client:
        for _ in range(50):
            assert_unauthenticated(post(client, sign(OTHER_RSA_KEY, uuid.uuid4().hex, claims())))
        assert server.hits == 1


@pytest.mark.parametrize("outage", ["503", "connection refused"])
def test_when_the_url_is_down_cached_keys_keep_working(
    registry: Path, server: JwksServer, outage: str
) -> None:
    with url_client(registry, server, jwks_refresh_seconds=1) as client:
        assert post(client, rs256()).status_code == 200
        if outage == "503":
            server.status = 503
        else:
            server.close()
        server.keys.append(public_jwk(RSA_KEY_2, "rsa-2026"))
        time.sleep(1.05)
        body = assert_unauthenticated(post(client, sign(RSA_KEY_2, "rsa-2026", claims())))
        assert body["errors"][0]["message"] == "invalid token: unknown signing key"
        assert server.hits == (2 if outage == "503" else 1)
        assert post(client, rs256()).status_code == 200
        assert post(client, es256(tier="OMBUDSMAN")).status_code == 200


def test_a_gateway_starts_even_when_the_url_is_down(registry: Path, server: JwksServer) -> None:
    server.status = 500
    with url_client(registry, server, jwks_refresh_seconds=1) as client:
        assert server.hits == 1
        assert_unauthenticated(post(client, rs256()))
        server.status = 200
        time.sleep(1.05)
        assert post(client, rs256()).status_code == 200
        assert server.hits == 2


# --- start-up refusals -------------------------------------------------------------------------


def test_production_without_keys_refuses_to_start(registry: Path) -> None:
    with pytest.raises(ConfigurationError, match="production mode needs jwt_jwks_file or"):
        create_app(GatewaySettings(mode="production", registry=registry))


def test_serve_without_keys_exits_with_the_message(tmp_path: Path, registry: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(f'[gateway]\nregistry = "{registry}"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as raised:
        main(["serve", "--config", str(config)])
    assert "production mode needs jwt_jwks_file or jwt_jwks_url" in str(raised.value.code)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        (b"{not json", "not a JSON document"),
        (b'{"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}', "no usable"),
        (b'{"keys": []}', "no usable"),
    ],
    ids=["missing file", "not JSON", "only a symmetric key", "empty"],
)
def test_a_jwks_file_without_usable_keys_refuses_to_start(
    tmp_path: Path, registry: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "jwks.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=reason) as raised:
        create_app(production(registry, jwt_jwks_file=path))
    assert str(path) in raised.value.message


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "algorithms",
    [["HS256"], ["none"], ["RS256", "HS256"], ["RS384"], ["rs256"], []],
    ids=["HS256", "none", "RS256 and HS256", "RS384", "lowercase", "empty"],
)
def test_jwt_algorithms_outside_rs256_es256_are_refused(
    registry: Path, jwks_file: Path, algorithms: list[str]
) -> None:
    with pytest.raises(ValueError, match="jwt_algorithms"):
        production(registry, jwt_jwks_file=jwks_file, jwt_algorithms=algorithms)


def test_jwt_algorithms_hs256_in_a_config_file_is_a_configuration_error(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[gateway]\nregistry = "r.toml"\njwt_algorithms = ["HS256"]\n', "utf-8")
    with pytest.raises(ConfigurationError, match="HS256 is for demo tokens only"):
        load_settings(config)


def test_the_auth_settings_have_safe_defaults(registry: Path) -> None:
    settings = GatewaySettings(registry=registry)
    assert settings.jwt_algorithms == ["RS256", "ES256"]
    assert (settings.jwt_leeway_seconds, settings.jwks_refresh_seconds) == (30, 60)
    assert settings.jwks_max_keys == 20
    assert (settings.jwt_jwks_file, settings.jwt_jwks_url) == (None, None)


@pytest.mark.parametrize(
    "url",
    [
        "http://sso.example.go.id/jwks.json",
        "http://10.0.0.5/jwks.json",
        "ftp://127.0.0.1/jwks.json",
        "file:///etc/jwks.json",
        "https:///jwks.json",
        "sso.example.go.id/jwks.json",
    ],
)
def test_a_jwks_url_must_be_https_or_loopback_http(registry: Path, url: str) -> None:
    with pytest.raises(ValueError, match="jwt_jwks_url"):
        production(registry, jwt_jwks_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://sso.example.go.id/realms/lapor/protocol/openid-connect/certs",
        "http://127.0.0.1:8080/jwks.json",
        "http://localhost/jwks.json",
    ],
)
def test_https_and_loopback_jwks_urls_are_accepted(registry: Path, url: str) -> None:
    assert production(registry, jwt_jwks_url=url).jwt_jwks_url == url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("jwks_refresh_seconds", 0),
        ("jwks_max_keys", 0),
        ("jwt_leeway_seconds", -1),
        ("jwt_leeway_seconds", 3600),
    ],
)
def test_out_of_range_auth_numbers_are_refused(registry: Path, name: str, value: int) -> None:
    values: dict[str, Any] = {name: value}
    with pytest.raises(ValueError, match=name):
        GatewaySettings(registry=registry, **values)


def test_a_jwks_file_and_url_together_are_refused(registry: Path, jwks_file: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        production(registry, jwt_jwks_file=jwks_file, jwt_jwks_url="https://sso.example/jwks")


def test_load_settings_resolves_the_jwks_file_relative_to_the_config(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "gateway.toml"
    config.parent.mkdir()
    config.write_text(
        '[gateway]\nregistry = "r.toml"\njwt_jwks_file = "keys/jwks.json"\n'
        'jwt_algorithms = ["ES256"]\njwks_refresh_seconds = 120\njwks_max_keys = 5\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert settings.jwt_jwks_file == tmp_path / "etc" / "keys" / "jwks.json"
    assert settings.jwt_algorithms == ["ES256"]
    assert (settings.jwks_refresh_seconds, settings.jwks_max_keys) == (120, 5)


def test_the_auth_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, registry: Path
) -> None:
    monkeypatch.setenv("LAPOR_JWT_JWKS_URL", "https://sso.example.go.id/certs")
    monkeypatch.setenv("LAPOR_JWT_ALGORITHMS", '["ES256"]')
    monkeypatch.setenv("LAPOR_JWKS_REFRESH_SECONDS", "30")
    settings = GatewaySettings(registry=registry)
    assert settings.jwt_jwks_url == "https://sso.example.go.id/certs"
    assert (settings.jwt_algorithms, settings.jwks_refresh_seconds) == (["ES256"], 30)
    monkeypatch.setenv("LAPOR_JWT_ALGORITHMS", '["none"]')
    with pytest.raises(ValueError, match="jwt_algorithms"):
        GatewaySettings(registry=registry)


# --- demo mode ---------------------------------------------------------------------------------


def test_demo_mode_accepts_its_hs256_tokens_and_jwks_tokens_too(
    registry: Path, jwks_file: Path
) -> None:
    settings = GatewaySettings(
        mode="demo",
        registry=registry,
        jwt_secret=SECRET,
        jwt_jwks_file=jwks_file,
        jwt_issuer=ISSUER,
    )
    verifier = build_verifier(settings)
    assert isinstance(verifier, DemoOrJwksVerifier)
    with TestClient(create_app(settings)) as client:
        assert post(client, token_for("REGENCY", "12.71", "OPERATOR")).status_code == 200
        assert post(client, es256()).status_code == 200
        assert_unauthenticated(
            post(client, BAD_TOKENS["HS256 signed with the RSA public key (PEM)"])
        )
        assert_unauthenticated(post(client, jwt.encode(claims(), SECRET, algorithm="HS256")))


def test_demo_mode_with_jwks_only_verifies_jwks_tokens(registry: Path, jwks_file: Path) -> None:
    settings = GatewaySettings(
        mode="demo", registry=registry, jwt_jwks_file=jwks_file, jwt_issuer=ISSUER
    )
    assert isinstance(build_verifier(settings), JwksVerifier)
    with TestClient(create_app(settings)) as client:
        assert post(client, rs256()).status_code == 200
        assert_unauthenticated(post(client, token_for("NATIONAL")))
