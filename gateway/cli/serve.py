"""Serving: a gateway from its config file, or one source database behind the source contract."""

from collections.abc import Callable
from pathlib import Path

from gateway.cli.options import progress


def serve_gateway(
    config: Path, host: str, port: int, demo_tokens: Callable[[], object] | None = None
) -> None:
    """Serve a gateway config in the foreground; `demo_tokens` feeds the playground's picker."""
    import uvicorn

    from gateway.app import create_app
    from gateway.settings import load_settings

    app = create_app(load_settings(config), demo_tokens=demo_tokens)  # type: ignore[arg-type]
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def serve_source(config: Path, host: str, port: int) -> None:
    """Serve one source database behind the source contract, for the gateway only."""
    import uvicorn

    from gateway.service.app import create_service_app
    from gateway.service.settings import load_service_settings

    settings = load_service_settings(config)
    app = create_service_app(settings)
    progress(f"source {settings.id}: contract v1 at http://{host}:{port}/graphql")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
