"""`lapor-gateway`: one GraphQL graph over SP4N-LAPOR! complaint sources."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway.domain import PrincipalTier, Role
from gateway.errors import ConfigurationError


def default_data_dir() -> Path:
    """One place for every command: `$LAPOR_DATA_DIR`, else the user's XDG data directory."""
    if explicit := os.environ.get("LAPOR_DATA_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "lapor-gateway"


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> None:
    from gateway.demo.setup import demo_tokens, is_seeded, seed_data_dir, write_demo_config

    data_dir: Path = args.data_dir
    if is_seeded(data_dir):
        config = write_demo_config(data_dir)
    else:
        _progress(f"first run: seeding the demo into {data_dir} ...")
        config = seed_data_dir(data_dir, 1.0, _progress)
    _progress(f"GraphiQL: http://{args.host}:{args.port}/graphql")
    _serve(config, args.host, args.port, demo_tokens=lambda: demo_tokens(data_dir))


def cmd_seed(args: argparse.Namespace) -> None:
    from gateway.demo.setup import seed_data_dir

    seed_data_dir(args.data_dir, args.scale, _progress)


def cmd_serve(args: argparse.Namespace) -> None:
    _serve(args.config, args.host, args.port)


def cmd_token(args: argparse.Namespace) -> None:
    from starlette.authentication import AuthenticationError

    from gateway.auth import TokenVerifier
    from gateway.regions import load_regions
    from gateway.tokens import AUDIENCE, DEMO_ISSUER, demo_secret, issue_demo_token

    secret = demo_secret(args.data_dir)
    token = issue_demo_token(
        secret,
        PrincipalTier(args.tier),
        region=args.region,
        agency=args.agency,
        role=Role(args.role) if args.role else None,
        ttl_seconds=args.ttl,
    )
    # Check it exactly as the gateway will, so a token printed is a token accepted.
    verifier = TokenVerifier(secret, ("HS256",), DEMO_ISSUER, AUDIENCE, load_regions())
    try:
        verifier.verify(token)
    except AuthenticationError as error:
        raise ConfigurationError(str(error).replace("invalid token: ", "")) from None
    print(token)


def cmd_schema(_: argparse.Namespace) -> None:
    from schema import print_sdl

    sys.stdout.write(print_sdl())


def cmd_source_serve(args: argparse.Namespace) -> None:
    """Serve one source database behind the source contract, for the gateway only."""
    import uvicorn

    from gateway.service.app import create_service_app
    from gateway.service.settings import load_service_settings

    settings = load_service_settings(args.config)
    app = create_service_app(settings)
    _progress(f"source {settings.id}: contract v1 at http://{args.host}:{args.port}/graphql")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)


def _serve(config: Path, host: str, port: int, demo_tokens: object = None) -> None:
    import uvicorn

    from gateway.app import create_app
    from gateway.settings import load_settings

    app = create_app(load_settings(config), demo_tokens=demo_tokens)  # type: ignore[arg-type]
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lapor-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

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

    demo = with_address(
        with_data_dir(
            commands.add_parser(
                "demo", help="seed the embedded national demo on first run, then serve it"
            )
        )
    )
    demo.set_defaults(run=cmd_demo)

    seed = with_data_dir(commands.add_parser("seed", help="(re)seed the demo sources"))
    seed.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="volume multiplier outside North Sumatra (default: 1.0)",
    )
    seed.set_defaults(run=cmd_seed)

    serve = with_address(commands.add_parser("serve", help="serve a gateway config file"))
    serve.add_argument("--config", type=Path, required=True)
    serve.set_defaults(run=cmd_serve)

    token = with_data_dir(
        commands.add_parser(
            "token", help="print a demo token accepted by the demo serving that data dir"
        )
    )
    token.add_argument(
        "--tier",
        required=True,
        choices=[t.value for t in PrincipalTier if t is not PrincipalTier.PUBLIC],
    )
    token.add_argument("--region")
    token.add_argument("--agency")
    token.add_argument("--role", choices=[r.value for r in Role])
    token.add_argument("--ttl", type=int, default=12 * 3600, help="seconds (default: 12 h)")
    token.set_defaults(run=cmd_token)

    schema = commands.add_parser("schema", help="print the GraphQL SDL")
    schema.set_defaults(run=cmd_schema)

    source = commands.add_parser("source", help="run a source service (remote source)")
    source_commands = source.add_subparsers(dest="source_command", required=True)
    source_serve = with_address(
        source_commands.add_parser(
            "serve", help="serve one source database over the source contract"
        )
    )
    source_serve.set_defaults(port=8001)  # beside a gateway on its default 8000
    source_serve.add_argument("--config", type=Path, required=True, help="TOML with [service]")
    source_serve.set_defaults(run=cmd_source_serve)

    from gateway.topology.command import add_up_command

    add_up_command(commands, with_data_dir, with_address)  # `up`: the topology as processes

    from gateway.http.persisted_cli import add_commands as add_persisted_commands

    add_persisted_commands(commands)  # `persisted add FILE.graphql`, `persisted list`

    from gateway.sources.rollup_cli import add_commands as add_rollup_commands

    add_rollup_commands(commands)  # `rollup verify`, `rollup rebuild`

    from gateway.plan_cli import add_commands as add_plan_commands

    add_plan_commands(commands)  # `plan 'query'`
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except ConfigurationError as error:
        sys.exit(f"lapor-gateway: {error.message}")
    except KeyboardInterrupt:
        sys.exit(130)
