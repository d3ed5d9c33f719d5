"""The real demo, seeded once per test session exactly as `lapor-gateway demo` seeds it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.demo.setup import seed_data_dir
from gateway.settings import load_settings


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
