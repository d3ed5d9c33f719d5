"""Running source services for tests: keys, settings, and a real uvicorn on 127.0.0.1.

`running_service` serves an app from a thread on an ephemeral loopback port (its own event
loop, real HTTP), bounded in time at start and stop.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from gateway.registry import SourceConfig
from gateway.service.settings import ServiceSettings
from gateway.source_tokens import (
    PRIVATE_KEY_FILE,
    PUBLIC_KEY_FILE,
    SourceTokenSigner,
    write_key_pair,
)

START_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path

    def signer(self) -> SourceTokenSigner:
        return SourceTokenSigner.from_file(self.private)


def make_key_pair(directory: Path) -> KeyPair:
    directory.mkdir(parents=True, exist_ok=True)
    pair = KeyPair(directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE)
    write_key_pair(pair.private, pair.public)
    return pair


def service_settings(
    config: SourceConfig, public_key: Path, **overrides: object
) -> ServiceSettings:
    """Service settings answering from the database of an SQL source config."""
    values: dict[str, object] = {
        "id": config.id,
        "url": config.url,
        "schema": config.schema,
        "covers": config.covers,
        "gateway_public_key_file": public_key,
        **overrides,
    }
    return ServiceSettings.model_validate(values)


@contextmanager
def running_service(app: ASGIApp) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (an ephemeral port) in a thread; yields the /graphql URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", ws="none")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the source service did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_SECONDS)
        sock.close()
