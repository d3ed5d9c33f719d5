"""`lapor-gateway source serve` as an operator runs it, and its configuration errors."""

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.cli import main
from gateway.policy import RowScope
from gateway.registry import SourceConfig
from tests.processes import free_port, serving
from tests.service.harness import KeyPair

COUNT = {"query": '{ count(criteria: {now: "2023-06-01T12:00:00"}) contract { version } }'}


def write_config(path: Path, service_db: SourceConfig, key: Path, **extra: str) -> Path:
    lines = [
        "[service]",
        'id = "prov-12"',
        f'url = "{service_db.url}"',
        'covers = ["12"]',
        f'gateway_public_key_file = "{key.name}"',
        *(f"{name} = {value}" for name, value in extra.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(
    service_db: SourceConfig, keys: KeyPair, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("serve")
    (directory / keys.public.name).write_bytes(keys.public.read_bytes())
    config = write_config(directory / "service.toml", service_db, keys.public)
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "lapor-gateway"),
        "source",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
    ]
    log_path = directory / "serve.log"
    with serving(command, port, log_path, seconds=20) as base:
        yield base


def test_source_serve_answers_the_gateway_and_nobody_else(served: str, keys: KeyPair) -> None:
    token = keys.signer().sign("prov-12", RowScope("12.71"))
    answer = httpx.post(
        f"{served}/graphql", json=COUNT, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert answer.status_code == 200
    assert answer.json()["data"]["contract"] == {"version": 1}
    assert answer.json()["data"]["count"] > 0
    refused = httpx.post(f"{served}/graphql", json=COUNT, timeout=5)
    assert refused.status_code == 401
    assert "data" not in refused.json()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no [service] table"),
        ("[service]\nid = 'x'\n", "url: Field required"),
        ("[service]\nid = 'x'\nurl = 'sqlite+aiosqlite:///x.db'\ncovers = ['99.99']\n"
         "gateway_public_key_file = 'k.pem'\n", "unknown region"),
        ("[service]\nid = 'x'\nurl = 'sqlite+aiosqlite:///x.db'\ncovers = ['12']\n"
         "gateway_public_key_file = 'missing.pem'\n", "gateway_public_key_file"),
        ("[service]\nid = 'x'\nurl = 'sqlite+aiosqlite:///x.db'\ncovers = ['12']\n"
         "gateway_public_key_file = 'k.pem'\n", "neither a PEM public key nor a JWKS"),
        ("[service]\nid = 'x'\nurl = 'sqlite+aiosqlite:///x.db'\ncovers = ['12']\n"
         "gateway_public_key_file = 'k.pem'\nmax_items = 'many'\n", "max_items"),
        ("[service\n", "cannot read config"),
    ],
)  # fmt: skip
def test_a_bad_service_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "k.pem").write_text("not a key", encoding="utf-8")
    config = tmp_path / "service.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as raised:
        main(["source", "serve", "--config", str(config)])
    assert message in str(raised.value)
    assert str(raised.value).startswith("lapor-gateway: ")


def test_a_private_key_is_not_a_gateway_public_key(
    tmp_path: Path, service_db: SourceConfig, keys: KeyPair
) -> None:
    (tmp_path / "private.pem").write_bytes(keys.private.read_bytes())
    config = write_config(tmp_path / "service.toml", service_db, tmp_path / "private.pem")
    with pytest.raises(SystemExit) as raised:
        main(["source", "serve", "--config", str(config)])
    assert "neither a PEM public key nor a JWKS" in str(raised.value)
