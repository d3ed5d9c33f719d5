"""The real demo, seeded once per test session exactly as `lapor-gateway demo` seeds it."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.demo.setup import seed_data_dir
from gateway.settings import load_settings
from tests.processes import free_port, serving


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    seed_data_dir(data_dir, 1.0, lambda _: None)
    return data_dir


@pytest.fixture(scope="session")
def demo_client(demo_dir: Path) -> Iterator[TestClient]:
    app = create_app(load_settings(demo_dir / "gateway.toml"))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def demo_server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lapor-gateway demo` as a user runs it: the console script the README runs, from the
    same environment as the tests, serving the session's demo on a free port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("demo-log") / "demo.log"
    command = [
        str(Path(sys.executable).parent / "lapor-gateway"),
        "demo",
        "--port",
        str(port),
        "--data-dir",
        str(demo_dir),
    ]
    with serving(command, port, log_path, seconds=30) as base:
        yield base
