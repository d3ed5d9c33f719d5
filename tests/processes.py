"""Helpers for tests that start the project's own commands as real processes on 127.0.0.1."""

import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def serving(command: Sequence[str], port: int, log_path: Path, seconds: float) -> Iterator[str]:
    """Run `command` until its `/healthz` answers on `port` (failing the test with its log
    after `seconds`); yield its base URL; stop it with SIGINT (SIGKILL if it lingers)."""
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail(
                    f"{command[0]} did not start within {seconds} s:\n{log_path.read_text()}"
                )
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
