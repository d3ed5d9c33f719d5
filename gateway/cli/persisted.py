"""`lapor-gateway persisted add FILE.graphql` and `lapor-gateway persisted list`: the manifest
that `persisted_queries = "allowlist"` serves (see `gateway.http.persisted`)."""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode

from gateway.errors import ConfigurationError
from gateway.http.persisted import ManifestEntry, read_manifest, sha256_hex, write_manifest

DEFAULT_MANIFEST = "persisted-queries.json"


def default_manifest() -> Path:
    return Path(os.environ.get("LAPOR_PERSISTED_QUERIES_MANIFEST") or DEFAULT_MANIFEST)


def cmd_add(args: argparse.Namespace) -> None:
    """Validate the document against the schema (with the default limits), then register it:
    clients send exactly this text, or only its sha256."""
    from gateway.graph import build_schema

    path: Path = args.file
    try:
        body = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read {path}: {error}") from None
    prepared = build_schema().documents.prepare(body)
    if not prepared.valid:
        problems = "; ".join(error.message for error in prepared.errors)
        raise ConfigurationError(f"{path} is not a valid document for this gateway: {problems}")
    definitions = prepared.document.definitions if prepared.document else ()
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise ConfigurationError(f"{path}: register one operation per file")
    operation = operations[0]
    name = operation.name.value if operation.name else None
    entry = ManifestEntry(id=sha256_hex(body), name=name, type=operation.operation.value, body=body)
    entries = read_manifest(args.manifest)
    if any(existing.id == entry.id for existing in entries):
        print(f"{entry.id} {name or '(anonymous)'}: already registered")
        return
    write_manifest(args.manifest, [*entries, entry])
    print(f"{entry.id} {name or '(anonymous)'}: added to {args.manifest}")


def cmd_list(args: argparse.Namespace) -> None:
    for entry in read_manifest(args.manifest):
        sys.stdout.write(f"{entry.id}  {entry.type:<8}  {entry.name or '(anonymous)'}\n")


def add_commands(commands: Any) -> None:
    """Register `persisted add` and `persisted list` on the CLI's subparsers."""
    persisted = commands.add_parser("persisted", help="manage the persisted query manifest")
    subcommands = persisted.add_subparsers(dest="persisted_command", required=True)
    add = subcommands.add_parser("add", help="validate a .graphql file and register it")
    add.add_argument("file", type=Path)
    listing = subcommands.add_parser("list", help="list the registered operations")
    for command, run in ((add, cmd_add), (listing, cmd_list)):
        command.add_argument(
            "--manifest",
            type=Path,
            default=default_manifest(),
            help="the manifest file (default: %(default)s, or $LAPOR_PERSISTED_QUERIES_MANIFEST)",
        )
        command.set_defaults(run=run)
