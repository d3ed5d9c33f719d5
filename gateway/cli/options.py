"""Options and output every command shares: the data directory, the address to serve on,
progress lines."""

import argparse
import os
import sys
from pathlib import Path


def default_data_dir() -> Path:
    """One place for every command: `$LAPOR_DATA_DIR`, else the user's XDG data directory."""
    if explicit := os.environ.get("LAPOR_DATA_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "lapor-gateway"


def with_data_dir(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="where demo data, registry and secret live (default: %(default)s)",
    )
    return command


def with_address(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)
    return command


def progress(line: str) -> None:
    """A progress line on standard error (standard output is the command's answer)."""
    print(line, file=sys.stderr, flush=True)
