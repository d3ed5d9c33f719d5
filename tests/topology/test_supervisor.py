"""The supervisor of `up`: children in one process group, all stopped, none orphaned."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.topology.supervisor import ChildSpec, Supervisor, TopologyError
from tests.topology.processes import free_port, is_running

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
# A child that starts a grandchild of its own and prints its pid: the process group, not
# the child list, is what catches it.
PARENT = [
    sys.executable,
    "-c",
    "import subprocess, sys, time\n"
    "grandchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    "print(grandchild.pid, flush=True)\n"
    "time.sleep(120)\n",
]


def spec(name: str, argv: list[str], log_dir: Path, port: int = 0) -> ChildSpec:
    return ChildSpec(
        name=name,
        argv=argv,
        port=port,
        probe_url=f"http://127.0.0.1:{port or free_port()}/healthz",
        log=log_dir / f"{name}.log",
    )


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if is_running(pid)]
        if not alive:
            return []
        time.sleep(0.05)
    return alive


def read_pid(log: Path, seconds: float = 10.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8").strip()
        if text:
            return int(text.splitlines()[0])
        time.sleep(0.05)
    raise AssertionError(f"no pid in {log}")


def test_children_share_one_process_group_and_stop_with_their_descendants(
    tmp_path: Path,
) -> None:
    supervisor = Supervisor()
    env = dict(os.environ)
    children = [supervisor.start(spec(f"sleeper-{n}", SLEEPER, tmp_path), env) for n in range(2)]
    parent = supervisor.start(spec("parent", PARENT, tmp_path), env)
    try:
        grandchild = read_pid(parent.spec.log)
        groups = {os.getpgid(pid) for pid in [*(c.pid for c in children), parent.pid, grandchild]}
        assert groups == {supervisor.group}
        assert supervisor.group != os.getpgid(0), "children must not share the caller's group"
    finally:
        supervisor.stop(grace=5)
    assert wait_gone([*(child.pid for child in supervisor.children), grandchild]) == []


def test_a_child_dying_early_is_reported_with_its_log(tmp_path: Path) -> None:
    supervisor = Supervisor()
    failing = [sys.executable, "-c", "import sys; print('port taken'); sys.exit(3)"]
    supervisor.start(spec("broken", failing, tmp_path), dict(os.environ))
    try:
        with pytest.raises(TopologyError, match=r"broken \(pid \d+\) exited with status 3"):
            supervisor.wait_ready(timeout=20)
    finally:
        supervisor.stop(grace=1)


SUPERVISING_SCRIPT = """
import json, os, sys
from pathlib import Path
from gateway.topology.supervisor import ChildSpec, Supervisor
supervisor = Supervisor()
log_dir = Path(sys.argv[1])
for n in range(3):
    supervisor.start(
        ChildSpec(f"s{n}", [sys.executable, "-c", "import time; time.sleep(120)"], 0,
                  "http://127.0.0.1:9/", log_dir / f"s{n}.log"),
        dict(os.environ),
    )
print(json.dumps([child.pid for child in supervisor.children]), flush=True)
import time; time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_a_supervisor_killed_by_sigkill(tmp_path: Path) -> None:
    """`up` itself killed without a chance to clean up still leaves no orphan behind."""
    with subprocess.Popen(
        [sys.executable, "-c", SUPERVISING_SCRIPT, str(tmp_path)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    ) as supervisor:
        try:
            assert supervisor.stdout is not None
            pids = json.loads(supervisor.stdout.readline())
            assert len(pids) == 3
            assert all(is_running(pid) for pid in pids)
            supervisor.send_signal(signal.SIGKILL)
            supervisor.wait(timeout=10)
            assert wait_gone(pids) == []
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
