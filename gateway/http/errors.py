"""Refusals at the edge: a GraphQL error response with the HTTP status the refusal deserves."""

from collections.abc import Mapping

import orjson
from starlette.responses import Response

from gateway.http.negotiation import JSON, content_type


class HttpError(Exception):
    """A request refused before execution: `status`, a stable `code`, extra `headers`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def response(self, media_type: str = JSON, request_id: str = "") -> Response:
        extensions: dict[str, object] = {"code": self.code}
        if request_id and self.status >= 500:
            extensions["requestId"] = request_id
        return graphql_response(
            {"errors": [{"message": self.message, "extensions": extensions}]},
            self.status,
            media_type,
            self.headers,
        )


def graphql_response(
    body: object,
    status: int,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON response (orjson), UTF-8, in the negotiated media type."""
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers={**(headers or {}), "content-type": content_type(media_type)},
    )
