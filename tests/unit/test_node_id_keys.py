"""The node-id key: where it comes from (a file; the demo makes one per data directory), and
that a production gateway without one refuses to start."""

import base64
import json
import secrets
import tomllib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from gateway.app import build_node_ids, create_app
from gateway.demo.setup import write_demo_config
from gateway.errors import ConfigurationError
from gateway.federation.ids import (
    NODE_ID_KEY_FILE,
    NodeIdCodec,
    demo_node_id_key,
    read_node_id_key,
    write_node_id_key,
)
from gateway.registry import SourceConfig, write_registry
from gateway.settings import GatewaySettings, load_settings
from gateway.source_tokens import public_jwks

SECRET_TEXT = "hunter2-is-no-key"  # a wrong key, whose text must never be echoed


def write_key(path: Path, key: bytes) -> Path:
    path.write_text(base64.urlsafe_b64encode(key).decode().rstrip("=") + "\n", encoding="ascii")
    return path


def test_the_demo_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    path = demo_node_id_key(data_dir)
    assert path == data_dir / NODE_ID_KEY_FILE
    assert path.stat().st_mode & 0o077 == 0
    assert len(read_node_id_key(path)) == 64
    content = path.read_bytes()
    assert demo_node_id_key(data_dir) == path
    assert path.read_bytes() == content
    assert [p.name for p in data_dir.iterdir()] == [NODE_ID_KEY_FILE]  # no partial file left


def test_a_key_file_is_never_replaced(tmp_path: Path) -> None:
    path = write_key(tmp_path / "key", bytes(range(64)))
    write_node_id_key(path)
    assert read_node_id_key(path) == bytes(range(64))


def test_the_same_key_file_seals_the_same_ids(tmp_path: Path) -> None:
    first = NodeIdCodec.from_file(demo_node_id_key(tmp_path / "a"))
    again = NodeIdCodec.from_file(demo_node_id_key(tmp_path / "a"))
    other = NodeIdCodec.from_file(demo_node_id_key(tmp_path / "b"))
    node_id = first.encode("Complaint", "12.71-0000001")
    assert again.encode("Complaint", "12.71-0000001") == node_id
    assert other.encode("Complaint", "12.71-0000001") != node_id
    assert again.decode(node_id) == ("Complaint", "12.71-0000001")


@pytest.mark.parametrize("size", [32, 48, 64])
def test_every_aes_siv_key_size_is_accepted(tmp_path: Path, size: int) -> None:
    key = secrets.token_bytes(size)
    assert read_node_id_key(write_key(tmp_path / "key", key)) == key


@pytest.mark.parametrize(
    "content",
    [
        SECRET_TEXT,
        base64.urlsafe_b64encode(b"sixteen bytes!!!").decode(),  # too short for AES-SIV
        base64.urlsafe_b64encode(bytes(65)).decode(),
        "",
        "é" * 40,
    ],
    ids=["not base64", "16 bytes", "65 bytes", "empty", "not ASCII"],
)
def test_a_bad_key_file_is_a_configuration_error_that_shows_no_key(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "key"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        NodeIdCodec.from_file(path)
    assert str(path) in raised.value.message
    if content:
        assert content not in raised.value.message
        assert content[:8] not in raised.value.message


def test_a_missing_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"node id key .*: No such file"):
        NodeIdCodec.from_file(tmp_path / "nope")


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "registry.toml"
    url = f"sqlite+aiosqlite:///{tmp_path / 'medan.db'}"  # never opened: no app is started
    write_registry(path, [SourceConfig("reg-12.71", "sql", url, ("12.71",))])
    return path


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(public_jwks(generate_private_key(SECP256R1()).public_key())))
    return path


def test_production_without_a_node_id_key_refuses_to_start(registry: Path, jwks_file: Path) -> None:
    settings = GatewaySettings(mode="production", registry=registry, jwt_jwks_file=jwks_file)
    with pytest.raises(ConfigurationError, match="production mode needs node_id_key_file"):
        build_node_ids(settings)
    with pytest.raises(ConfigurationError, match="production mode needs node_id_key_file"):
        create_app(settings)


def test_production_with_a_node_id_key_seals_with_it(
    tmp_path: Path, registry: Path, jwks_file: Path
) -> None:
    key_file = write_key(tmp_path / "key", bytes(range(64)))
    settings = GatewaySettings(
        mode="production", registry=registry, jwt_jwks_file=jwks_file, node_id_key_file=key_file
    )
    node_id = build_node_ids(settings).encode("Complaint", "12.71-0000001")
    assert node_id == NodeIdCodec(bytes(range(64))).encode("Complaint", "12.71-0000001")
    create_app(settings)


def test_demo_without_a_key_file_seals_with_a_key_of_its_own(registry: Path) -> None:
    settings = GatewaySettings(mode="demo", registry=registry)
    first, second = build_node_ids(settings), build_node_ids(settings)
    node_id = first.encode("Complaint", "12.71-0000001")
    assert first.decode(node_id) == ("Complaint", "12.71-0000001")
    assert second.encode("Complaint", "12.71-0000001") != node_id


def test_the_key_file_is_relative_to_the_config(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[gateway]\nregistry = "r.toml"\nnode_id_key_file = "keys/node-id"\n', encoding="utf-8"
    )
    assert load_settings(config).node_id_key_file == tmp_path / "keys" / "node-id"


def test_the_demo_config_names_the_data_dir_key_and_keeps_it(tmp_path: Path) -> None:
    config = write_demo_config(tmp_path)
    table = tomllib.loads(config.read_text(encoding="utf-8"))["gateway"]
    assert table["node_id_key_file"] == NODE_ID_KEY_FILE
    settings = load_settings(config)
    assert settings.node_id_key_file == tmp_path / NODE_ID_KEY_FILE
    key = read_node_id_key(tmp_path / NODE_ID_KEY_FILE)
    write_demo_config(tmp_path)  # every `lapor-gateway demo` start rewrites the config
    assert read_node_id_key(tmp_path / NODE_ID_KEY_FILE) == key
    assert build_node_ids(load_settings(config)).encode("Complaint", "x") == NodeIdCodec(
        key
    ).encode("Complaint", "x")
