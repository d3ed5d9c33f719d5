"""The `up` subcommand: its options, and the signal handling around `gateway.topology.up`.

Kept free of heavy imports: `gateway.cli.main.build_parser()` calls `add_up_command` on every
invocation of `lapor-gateway`, whatever the command.
"""

import argparse
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from gateway.cli.options import progress, with_address, with_data_dir
from gateway.cli.serve import serve_gateway as serve

DEFAULT_POSTGRES_HELP = "postgresql+asyncpg://postgres@127.0.0.1:5432/lapor_demo"


class StopRequested(BaseException):
    """SIGINT or SIGTERM reached `up`: stop every child, then exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def add_up_command(commands: "argparse._SubParsersAction[Any]") -> None:
    """Register `lapor-gateway up` on the CLI's subcommands."""
    up = with_address(
        with_data_dir(
            commands.add_parser(
                "up",
                help="run the demo topology as processes: the gateway, North Sumatra's 33 "
                "regency source services, the other sources in PostgreSQL (or SQLite)",
                description="Seed if needed, load PostgreSQL once, start the gateway (--host, "
                "--port) and 33 source services on 127.0.0.1, wait until ready; Ctrl-C stops "
                "them all. Configs and logs go under <data-dir>/up/.",
            )
        )
    )
    up.add_argument(
        "--postgres-url",
        help="PostgreSQL for the 39 SQL sources, one schema each; the database is created if "
        f"missing (default: {DEFAULT_POSTGRES_HELP} if reachable, else the SQLite files)",
    )
    up.add_argument(
        "--no-postgres", action="store_true", help="serve the SQL sources from their SQLite files"
    )
    up.add_argument(
        "--regency-postgres-url",
        help="serve the 33 regency services from PostgreSQL at this URL too (one schema each) "
        "instead of their SQLite files",
    )
    up.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="volume multiplier outside North Sumatra, if the data dir must be seeded first",
    )
    up.add_argument(
        "--ready-timeout",
        type=float,
        default=120.0,
        help="seconds to wait for every process to answer (default: %(default)s)",
    )
    up.add_argument(
        "--prepare-only",
        action="store_true",
        help="seed, make the keys and load PostgreSQL, then exit (the compose `seed` service)",
    )
    up.add_argument(
        "--gateway-only",
        action="store_true",
        help="serve only the gateway of a prepared topology, in the foreground, with the demo "
        "identities of --data-dir (what `up` starts; the compose gateway replicas)",
    )
    up.add_argument(
        "--gateway-config",
        type=Path,
        help="with --gateway-only: the config to serve (default: <data-dir>/up/gateway.toml)",
    )
    up.set_defaults(run=cmd_up)


def cmd_up(args: argparse.Namespace) -> None:
    from gateway.errors import ConfigurationError
    from gateway.topology.layout import UpPaths

    data_dir: Path = args.data_dir
    if args.gateway_config is not None and not args.gateway_only:
        raise ConfigurationError("--gateway-config goes with --gateway-only")
    if args.gateway_only:
        config = args.gateway_config or UpPaths(data_dir).gateway_config
        serve_topology_gateway(config, data_dir, args)
        return
    if args.no_postgres and args.postgres_url:
        raise ConfigurationError("--no-postgres and --postgres-url exclude each other")
    sys.exit(_up(args))


def serve_topology_gateway(config: Path, data_dir: Path, args: argparse.Namespace) -> None:
    """The gateway of the topology, in demo mode with the playground's identity picker."""
    from gateway.demo.setup import demo_tokens

    serve(config, args.host, args.port, demo_tokens=lambda: demo_tokens(data_dir))


def _up(args: argparse.Namespace) -> int:
    from gateway.errors import ConfigurationError
    from gateway.topology.layout import UpPaths
    from gateway.topology.supervisor import Supervisor, TopologyError
    from gateway.topology.up import UpOptions, check_port_free, prepare, run

    options = UpOptions(
        data_dir=args.data_dir,
        host=args.host,
        port=args.port,
        postgres_url=args.postgres_url,
        use_postgres=not args.no_postgres,
        regency_postgres_url=args.regency_postgres_url,
        scale=args.scale,
        ready_timeout=args.ready_timeout,
    )
    supervisor = Supervisor()

    def force() -> None:
        supervisor.force = True

    with _stop_on_signals(force):
        try:
            if not args.prepare_only:  # fail now, not after seeding and loading
                check_port_free(options.host, options.port)
            prepared = prepare(options, progress)
            if args.prepare_only:
                progress(f"prepared {options.data_dir}")
                return 0
            return run(prepared, options, supervisor, _say)
        except StopRequested as stop:
            live = sum(1 for child in supervisor.children if child.process.poll() is None)
            _say(f"{stop}: stopping {live} processes ...")
            return 0
        except TopologyError as error:
            raise ConfigurationError(str(error)) from None
        finally:
            if supervisor.children:
                supervisor.stop()
                _say(f"stopped {len(supervisor.children)} processes")
            UpPaths(options.data_dir).state.unlink(missing_ok=True)


@contextlib.contextmanager
def _stop_on_signals(on_repeat: Callable[[], None]) -> Iterator[None]:
    """SIGINT/SIGTERM raise StopRequested once; a second one calls `on_repeat` (no grace)."""
    received: list[int] = []

    def handler(signum: int, _: FrameType | None) -> None:
        if received:
            on_repeat()
            return
        received.append(signum)
        raise StopRequested(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _say(line: str) -> None:
    print(line, flush=True)
