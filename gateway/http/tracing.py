"""Optional OpenTelemetry tracing: one span per source call (the `tracing` extra).

Off by default. With `tracing_enabled`, spans go to whatever tracer provider the process has
configured (OTLP exporter, environment variables, ...); without the extra installed the
gateway refuses to start rather than silently trace nothing.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from gateway.errors import ConfigurationError
from gateway.http.observed import failure_code


class TracingObserver:
    """A `SourceCallObserver` opening a `source.call` span around each guarded call."""

    def __init__(self, tracer: Any = None) -> None:
        try:
            from opentelemetry import trace
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise ConfigurationError(
                "tracing_enabled needs OpenTelemetry: pip install 'lapor-gateway[tracing]'"
            ) from None
        self._status = trace.Status
        self._error = trace.StatusCode.ERROR
        self.tracer = tracer or trace.get_tracer("lapor-gateway")

    @contextlib.contextmanager
    def observe(self, source_id: str) -> Iterator[None]:
        with self.tracer.start_as_current_span(
            "source.call",
            attributes={"lapor.source": source_id},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield
            except BaseException as error:
                code = failure_code(error) or "INTERNAL"
                # The code, never the source's text: spans leave the process.
                span.set_attribute("lapor.error_code", code)
                span.set_status(self._status(self._error, code))
                raise
