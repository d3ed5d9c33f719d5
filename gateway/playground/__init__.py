"""GraphiQL playground served from assets bundled in this package (no CDN)."""

from gateway.playground.examples import EXAMPLE_QUERIES, EXAMPLE_VARIABLES
from gateway.playground.routes import DemoTokens, playground_html, playground_routes

__all__ = [
    "EXAMPLE_QUERIES",
    "EXAMPLE_VARIABLES",
    "DemoTokens",
    "playground_html",
    "playground_routes",
]
