"""Starlette routes of the GraphQL playground: GraphiQL served from assets shipped in this
package (no CDN, works offline).

The app owns `GET /graphql` and decides when a browser gets the page: it answers with
`playground_html()`. This module adds the assets under `/graphql/static/` and, in demo mode,
`GET /graphql/demo-tokens`, which the page reads to offer a demo-identity picker.
"""

import hashlib
import json
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources
from os import PathLike
from os import stat_result as StatResult  # noqa: N812
from string import Template
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.playground.examples import EXAMPLE_QUERIES, EXAMPLE_VARIABLES

DemoTokens = Callable[[], list[dict[str, str | None]]]
"""Gives the demo identities as `[{"label": ..., "token": ... | None}]`, in picker order."""

ENDPOINT = "/graphql"
STATIC_PATH = "/graphql/static"
DEMO_TOKENS_PATH = "/graphql/demo-tokens"

_PACKAGE = "gateway.playground"
_STATIC_DIR = "static"
_IMMUTABLE = "public, max-age=31536000, immutable"
_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# The page may talk only to its own origin; styles need 'unsafe-inline' because GraphiQL's
# components set style attributes, fonts and icons come as data: URLs inside graphiql.min.css.
_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    )
)


@cache
def _asset_version() -> str:
    """A digest of every bundled asset, appended as `?v=` so that a release changes the URLs
    and browsers may cache each URL for good."""
    digest = hashlib.sha256()
    static = resources.files(_PACKAGE).joinpath(_STATIC_DIR)
    for entry in sorted(static.iterdir(), key=lambda item: item.name):
        if entry.is_file():
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


@cache
def _page_template() -> Template:
    return Template(resources.files(_PACKAGE).joinpath("page.html").read_text(encoding="utf-8"))


def _examples_payload() -> list[dict[str, Any]]:
    payload: list[dict[str, Any]] = []
    for title, query in EXAMPLE_QUERIES:
        variables = EXAMPLE_VARIABLES.get(title)
        payload.append(
            {
                "title": title,
                "query": query,
                "variables": None if variables is None else json.dumps(variables, indent=2),
            }
        )
    return payload


def _script_json(value: object) -> str:
    """JSON safe to embed in a <script> element: no `</script>` or `<!--` can close it."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@lru_cache(maxsize=8)
def _page(root_path: str) -> str:
    config = {
        "endpoint": root_path + ENDPOINT,
        "demoTokensUrl": root_path + DEMO_TOKENS_PATH,
        "examples": _examples_payload(),
    }
    return _page_template().substitute(
        static_base=root_path + STATIC_PATH,
        version=_asset_version(),
        endpoint=root_path + ENDPOINT,
        config_json=_script_json(config),
    )


def playground_html(root_path: str = "") -> HTMLResponse:
    """The playground page. `root_path` is the ASGI root path the app is mounted under
    (`request.scope.get("root_path", "")`), empty when it serves from `/`."""
    return HTMLResponse(
        _page(root_path.rstrip("/")),
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": _CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


class _PlaygroundStatic(StaticFiles):
    """The bundled assets. A URL carrying the current `?v=` is cached for a year; any other
    is revalidated (ETag / Last-Modified) on every use."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: StatResult,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = Request(scope).query_params.get("v") == _asset_version()
        response.headers["Cache-Control"] = _IMMUTABLE if versioned else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.status_code != 304:
            suffix = str(full_path)[str(full_path).rfind(".") :]
            content_type = _CONTENT_TYPES.get(suffix)
            if content_type is not None:
                response.headers["Content-Type"] = content_type
        return response


def playground_routes(demo_tokens: DemoTokens | None) -> list[BaseRoute]:
    """The playground's assets, plus `GET /graphql/demo-tokens` when `demo_tokens` is given
    (demo mode). Without it that path is left to the app, which answers 404."""
    routes: list[BaseRoute] = [
        Mount(
            STATIC_PATH,
            app=_PlaygroundStatic(packages=[(_PACKAGE, _STATIC_DIR)]),
            name="playground-static",
        )
    ]
    if demo_tokens is not None:
        tokens = demo_tokens

        async def demo_tokens_endpoint(request: Request) -> Response:
            return JSONResponse(tokens(), headers={"Cache-Control": "no-store"})

        routes.append(
            Route(DEMO_TOKENS_PATH, demo_tokens_endpoint, methods=["GET"], name="demo-tokens")
        )
    return routes
