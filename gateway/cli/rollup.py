"""`lapor-gateway rollup verify|rebuild --config gateway.toml`: check the SQL sources'
rollups against their complaint rows, or rebuild them (see `gateway.sources.rollup`)."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.errors import ConfigurationError
from gateway.registry import SourceConfig


def cmd_verify(args: argparse.Namespace) -> None:
    async def check(engine: AsyncEngine) -> str:
        from gateway.sources.rollup import verify

        off = {grain: count for grain, count in (await verify(engine)).items() if count}
        args.failed = args.failed or bool(off)
        return ", ".join(f"{g.value.lower()} {n} groups off" for g, n in off.items()) or "in step"

    args.failed = False
    asyncio.run(_each_source(args.config, args.source, check))
    if args.failed:
        sys.exit(1)


def cmd_rebuild(args: argparse.Namespace) -> None:
    async def rebuild(engine: AsyncEngine) -> str:
        from gateway.sources.rollup import rebuild

        await rebuild(engine)
        return "rebuilt"

    asyncio.run(_each_source(args.config, args.source, rebuild))


async def _each_source(
    config: Path, only: str | None, action: Callable[[AsyncEngine], Awaitable[str]]
) -> None:
    from gateway.sources.sql import create_source_engine

    for source in _sql_sources(config, only):
        engine = create_source_engine(source)
        try:
            print(f"{source.id}: {await action(engine)}", flush=True)
        finally:
            await engine.dispose()


def _sql_sources(config: Path, only: str | None) -> list[SourceConfig]:
    from gateway.regions import load_regions
    from gateway.registry import load_registry
    from gateway.settings import load_settings

    registry = load_registry(load_settings(config).registry, load_regions())
    sources = [s for s in registry.sources if s.kind == "sql" and only in {None, s.id}]
    if not sources:
        raise ConfigurationError(f"no SQL source {only or ''} in the registry".replace("  ", " "))
    return sources


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    rollup = commands.add_parser("rollup", help="check or rebuild the SQL sources' rollups")
    actions = rollup.add_subparsers(dest="rollup_command", required=True)
    for name, run, summary in (
        ("verify", cmd_verify, "compare each rollup with the complaint rows (exit 1 if off)"),
        ("rebuild", cmd_rebuild, "rebuild each rollup from the complaint rows"),
    ):
        action = actions.add_parser(name, help=summary)
        action.add_argument("--config", type=Path, required=True, help="the gateway config")
        action.add_argument("--source", help="one source id (default: every SQL source)")
        action.set_defaults(run=run)
