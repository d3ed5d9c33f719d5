"""Child processes of `lapor-gateway up`: started in one process group, logged to files,
probed until ready, and all stopped together.

Every child joins a process group of its own (not the terminal's), so `up` alone receives the
terminal's Ctrl-C and stops the children in order: SIGTERM to each, a grace period, SIGKILL to
whatever remains, and finally SIGKILL to the whole group (anything a child may have started).
On Linux each child also asks the kernel for SIGTERM should `up` itself die (killed with
SIGKILL, say), so no child outlives it as an orphan.
"""

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import httpx

_PR_SET_PDEATHSIG = 1
_PROBE_INTERVAL = 0.25


class TopologyError(Exception):
    """`up` cannot go on; the message says why (and where the log is)."""


@dataclass(frozen=True, slots=True)
class ChildSpec:
    name: str
    argv: Sequence[str]
    port: int
    probe_url: str
    """GET answering 200 once the child serves."""
    log: Path


@dataclass(slots=True)
class Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes]
    ready: bool = False
    reported_exit: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Supervisor:
    """Starts children into one process group and stops them all."""

    children: list[Child] = field(default_factory=list)
    group: int | None = None
    force: bool = False
    """Set (by a second signal) to skip the grace period while stopping."""

    def start(self, spec: ChildSpec, env: dict[str, str]) -> Child:
        spec.log.parent.mkdir(parents=True, exist_ok=True)
        with spec.log.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                list(spec.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                process_group=0 if self.group is None else self.group,
                preexec_fn=_die_with_parent(os.getpid()),
            )
        if self.group is None:
            self.group = process.pid
        child = Child(spec, process)
        self.children.append(child)
        return child

    def exited(self) -> list[Child]:
        """Children that exited since the last call."""
        fresh = []
        for child in self.children:
            if child.process.poll() is not None and not child.reported_exit:
                child.reported_exit = True
                fresh.append(child)
        return fresh

    def wait_ready(
        self,
        timeout: float,
        on_ready: Callable[[Child], None] = lambda _: None,
    ) -> float:
        """Probe every child until all answer 200; seconds taken. A child that exits or is not
        ready in time is a TopologyError quoting the end of its log."""
        started = time.monotonic()
        deadline = started + timeout
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while True:
                pending = [child for child in self.children if not child.ready]
                if not pending:
                    return time.monotonic() - started
                for child in pending:
                    code = child.process.poll()
                    if code is not None:
                        raise TopologyError(
                            f"{child.spec.name} (pid {child.pid}) {describe_exit(code)} before "
                            f"it was ready; {child.spec.log}:\n{log_tail(child.spec.log)}"
                        )
                    if _answers(client, child.spec.probe_url):
                        child.ready = True
                        on_ready(child)
                if time.monotonic() > deadline:
                    names = ", ".join(child.spec.name for child in pending[:5])
                    more = " ..." if len(pending) > 5 else ""
                    raise TopologyError(
                        f"not ready within {timeout:.0f} s: {names}{more}; "
                        f"logs in {pending[0].spec.log.parent}"
                    )
                time.sleep(_PROBE_INTERVAL)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM every live child, SIGKILL what is left after `grace` s, then the group."""
        live = [child for child in self.children if child.process.poll() is None]
        for child in live:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while live and time.monotonic() < deadline and not self.force:
            time.sleep(0.05)
            live = [child for child in live if child.process.poll() is None]
        for child in live:
            with contextlib.suppress(ProcessLookupError):
                child.process.kill()
        for child in self.children:
            child.process.wait()
        if self.group is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.group, signal.SIGKILL)


def _answers(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


@cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    prctl: Callable[..., int] = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    return prctl


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the child when `up` dies (else None)."""
    prctl = _prctl()
    if prctl is None:
        return None

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # `up` died before the request took effect
            os._exit(1)

    return hook
