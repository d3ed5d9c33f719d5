"""`lapor-gateway`: one GraphQL graph over SP4N-LAPOR! complaint sources."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway.cli.options import progress, with_address, with_data_dir
from gateway.cli.serve import serve_gateway, serve_source
from gateway.domain import PrincipalTier, Role
from gateway.errors import ConfigurationError


def cmd_demo(args: argparse.Namespace) -> None:
    from gateway.demo.setup import demo_tokens, is_seeded, seed_data_dir, write_demo_config

    data_dir: Path = args.data_dir
    if is_seeded(data_dir):
        config = write_demo_config(data_dir)
    else:
        progress(f"first run: seeding the demo into {data_dir} ...")
        config = seed_data_dir(data_dir, 1.0, progress)
    progress(f"GraphiQL: http://{args.host}:{args.port}/graphql")
    serve_gateway(config, args.host, args.port, demo_tokens=lambda: demo_tokens(data_dir))


def cmd_seed(args: argparse.Namespace) -> None:
    from gateway.demo.setup import seed_data_dir

    seed_data_dir(args.data_dir, args.scale, progress)


def cmd_serve(args: argparse.Namespace) -> None:
    serve_gateway(args.config, args.host, args.port)


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
    from gateway.graph import print_sdl

    sys.stdout.write(print_sdl())


def cmd_source_serve(args: argparse.Namespace) -> None:
    serve_source(args.config, args.host, args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lapor-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

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

    from gateway.cli.up import add_up_command

    add_up_command(commands)  # `up`: the topology as processes

    from gateway.cli.persisted import add_commands as add_persisted_commands

    add_persisted_commands(commands)  # `persisted add FILE.graphql`, `persisted list`

    from gateway.cli.rollup import add_commands as add_rollup_commands

    add_rollup_commands(commands)  # `rollup verify`, `rollup rebuild`

    from gateway.cli.plan import add_commands as add_plan_commands

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
