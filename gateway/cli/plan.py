"""`lapor-gateway plan --config gateway.toml [--token T] 'query'`: run a query in-process and
print what it planned (`gateway/federation/explain.py`): the sources each root field asked, the
columns pushed down, the relations loaded and the fields withheld from this caller. The query runs
for real, against the configured sources, as that caller (anonymous without a token)."""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def cmd_plan(args: argparse.Namespace) -> None:
    body = asyncio.run(_explain(args.config, args.token, args.query, args.variables))
    json.dump(_printed(body), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    if "errors" in body and "extensions" not in body:
        sys.exit(1)


async def _explain(
    config: Path, token: str | None, query: str, variables: str | None
) -> dict[str, Any]:
    import httpx

    from gateway.app import create_app
    from gateway.settings import load_settings

    settings = load_settings(config).model_copy(
        update={"explain_plans": True, "rate_limit_per_minute": 0}
    )
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload = {
        "query": query,
        "variables": json.loads(variables) if variables else None,
        "extensions": {"plan": True},
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://plan") as client:
            response = await client.post("/graphql", json=payload, headers=headers)
    result: dict[str, Any] = response.json()
    return result


def _printed(body: dict[str, Any]) -> dict[str, Any]:
    printed: dict[str, Any] = {"plan": (body.get("extensions") or {}).get("plan", [])}
    if body.get("errors"):
        printed["errors"] = body["errors"]
    return printed


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    plan = commands.add_parser(
        "plan", help="run a query and print what it planned (sources, columns, withheld fields)"
    )
    plan.add_argument("--config", type=Path, required=True, help="the gateway config")
    plan.add_argument("--token", help="the caller's bearer token (default: anonymous)")
    plan.add_argument("--variables", help="the query's variables, as JSON")
    plan.add_argument("query", help="the GraphQL document")
    plan.set_defaults(run=cmd_plan)
