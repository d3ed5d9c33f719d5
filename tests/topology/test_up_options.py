"""`lapor-gateway up` refuses what cannot work before seeding anything."""

import socket
from pathlib import Path

import pytest

from gateway.cli import main


def run_up(*argv: str) -> str:
    with pytest.raises(SystemExit) as raised:
        main(["up", *argv])
    message = str(raised.value)
    assert message.startswith("lapor-gateway: ")
    return message


def test_a_busy_gateway_port_is_refused_first(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = run_up("--data-dir", str(tmp_path), "--port", str(port), "--no-postgres")
    assert f"cannot serve the gateway on 127.0.0.1:{port}" in message
    assert not (tmp_path / "seed.json").exists(), "nothing seeded"


def test_an_unreachable_explicit_postgres_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens once the probe is closed
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed}/lapor_demo"
    message = run_up("--data-dir", str(tmp_path), "--port", str(port), "--postgres-url", url)
    assert f"PostgreSQL is not reachable at {url}" in message
    assert not (tmp_path / "seed.json").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gateway-config", "x.toml"], "--gateway-config goes with --gateway-only"),
        (["--no-postgres", "--postgres-url", "postgresql+asyncpg://h/d"], "exclude each other"),
    ],
)
def test_contradictory_options_are_refused(tmp_path: Path, argv: list[str], message: str) -> None:
    assert message in run_up("--data-dir", str(tmp_path), *argv)


def test_gateway_only_without_a_prepared_topology_says_what_is_missing(tmp_path: Path) -> None:
    message = run_up("--data-dir", str(tmp_path), "--gateway-only")
    assert "cannot read config" in message
    assert str(tmp_path / "up" / "gateway.toml") in message
