"""Gateway side: signing scope tokens, the key files, and `remote` registry entries."""

import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.errors import ConfigurationError
from gateway.policy import EVERYTHING, NOTHING, RowScope
from gateway.regions import load_regions
from gateway.registry import DEFAULT_MAX_RESPONSE_BYTES, SourceConfig, load_registry, write_registry
from gateway.source_tokens import (
    MAX_TTL_SECONDS,
    PRIVATE_KEY_FILE,
    PUBLIC_KEY_FILE,
    ScopeClaim,
    ScopeClaimError,
    SourceTokenSigner,
    decode_scope,
    demo_source_key,
    encode_scope,
    load_private_key,
)
from gateway.sources.factory import build_source
from gateway.sources.remote import RemoteSource
from tests.service.harness import KeyPair

REGIONS = load_regions()


def claims_of(token: str, keys: KeyPair) -> dict[str, object]:
    public = load_private_key(keys.private).public_key()
    decoded: dict[str, object] = jwt.decode(
        token, public, algorithms=["ES256"], audience="reg-12.71"
    )
    return decoded


def test_a_token_carries_audience_scope_and_a_short_life(keys: KeyPair) -> None:
    signer = keys.signer()
    claims = claims_of(signer.sign("reg-12.71", RowScope("12.71", published_only=True)), keys)
    assert claims["iss"] == "lapor-gateway"
    assert claims["scope"] == {"region": "12.71", "published_only": True}
    assert claims["exp"] - claims["iat"] == 30  # type: ignore[operator]
    assert jwt.get_unverified_header(signer.sign("reg-12.71", EVERYTHING))["kid"] == signer.kid


def test_tokens_are_reused_for_a_third_of_their_life_then_renewed(keys: KeyPair) -> None:
    now = [1_700_000_000.0]
    signer = SourceTokenSigner(load_private_key(keys.private), clock=lambda: now[0])
    first = signer.sign("reg-12.71", EVERYTHING)
    assert signer.sign("reg-12.71", EVERYTHING) == first
    assert signer.sign("reg-12.72", EVERYTHING) != first
    assert signer.sign("reg-12.71", RowScope("12.71")) != first
    assert signer.sign("reg-12.71", EVERYTHING, split=EVERYTHING) != first
    now[0] += 10
    assert signer.sign("reg-12.71", EVERYTHING) != first


@pytest.mark.parametrize(
    "claim",
    [ScopeClaim(EVERYTHING), ScopeClaim(NOTHING), ScopeClaim(RowScope("12"), RowScope("12.71"))],
)
def test_scope_claims_round_trip(claim: ScopeClaim) -> None:
    assert decode_scope(encode_scope(claim)) == claim


def test_a_nested_split_is_refused() -> None:
    nested = {"region": None, "published_only": False, "split": {"region": None,
              "published_only": False, "split": None}}  # fmt: skip
    with pytest.raises(ScopeClaimError):
        decode_scope(nested)


def test_the_ttl_is_bounded(keys: KeyPair) -> None:
    with pytest.raises(ValueError, match="seconds"):
        SourceTokenSigner(load_private_key(keys.private), ttl_seconds=MAX_TTL_SECONDS + 1)


def test_only_an_ec_p256_private_pem_signs(tmp_path: Path) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p384 = ec.generate_private_key(ec.SECP384R1())
    for name, key in (("rsa.pem", rsa_key), ("p384.pem", p384)):
        (tmp_path / name).write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        with pytest.raises(ConfigurationError, match="EC P-256"):
            load_private_key(tmp_path / name)
    (tmp_path / "junk.pem").write_text("junk", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not an unencrypted PEM key"):
        load_private_key(tmp_path / "junk.pem")
    with pytest.raises(ConfigurationError, match="source token key"):
        load_private_key(tmp_path / "missing.pem")


def test_the_demo_key_pair_is_made_once_and_private(tmp_path: Path) -> None:
    path = demo_source_key(tmp_path)
    assert path == tmp_path / PRIVATE_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (tmp_path / PUBLIC_KEY_FILE).is_file()
    before = path.read_bytes()
    assert demo_source_key(tmp_path).read_bytes() == before


# --- Registry and factory --------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_remote_source_entry_loads_and_round_trips(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[sources]]\nid = "reg-12.71"\nkind = "remote"\nurl = "https://medan.example.id/graphql"\n'
        'covers = ["12.71"]\nmax_response_bytes = 1048576\n',
    )
    (source,) = load_registry(path, REGIONS).sources
    assert (source.kind, source.max_response_bytes) == ("remote", 1048576)
    write_registry(
        path, [source, SourceConfig("n", "sql", "sqlite+aiosqlite:///n.db", ("NATIONAL",))]
    )
    loaded = load_registry(path, REGIONS).sources
    assert loaded[0] == source
    assert loaded[1].max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES


@pytest.mark.parametrize(
    ("url", "extra", "message"),
    [
        ("http://medan.example.id/graphql", "", "https://"),
        ("ftp://127.0.0.1/graphql", "", "https://"),
        ("sqlite+aiosqlite:///x.db", "", "https://"),
        ("https://medan.example.id/graphql", 'schema = "lapor"\n', "sql sources only"),
        ("https://medan.example.id/graphql", "max_response_bytes = 10\n", "max_response_bytes"),
    ],
)
def test_a_bad_remote_entry_is_refused(tmp_path: Path, url: str, extra: str, message: str) -> None:
    text = f'[[sources]]\nid = "r"\nkind = "remote"\nurl = "{url}"\ncovers = ["12"]\n{extra}'
    with pytest.raises(ConfigurationError, match=message):
        load_registry(write(tmp_path, text), REGIONS)


def test_plain_http_is_allowed_on_loopback_only(tmp_path: Path) -> None:
    text = (
        '[[sources]]\nid = "r"\nkind = "remote"\n'
        'url = "http://127.0.0.1:8001/graphql"\ncovers = ["12"]\n'
    )
    assert load_registry(write(tmp_path, text), REGIONS).sources[0].url.startswith("http://")


def test_build_source_needs_the_signer_for_remote_sources(keys: KeyPair) -> None:
    config = SourceConfig("r", "remote", "https://medan.example.id/graphql", ("12.71",))
    with pytest.raises(ConfigurationError, match="source_token_key_file"):
        build_source(config)
    assert isinstance(build_source(config, keys.signer()), RemoteSource)
