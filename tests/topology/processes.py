"""Process helpers for the topology tests: free ports, and whether a pid still runs."""

from pathlib import Path

from tests.processes import free_port

__all__ = ["free_port", "is_running"]


def is_running(pid: int) -> bool:
    """True while `pid` is a live process; a zombie (dead, not yet reaped) does not count."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")
