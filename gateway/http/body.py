"""The request body, read within its size limit, and the GraphQL request parameters in it.

The size is checked twice: a `Content-Length` over the limit is refused before a byte is
read, and a body without one (chunked) is counted while it is read and abandoned as soon as it
passes the limit. Invalid UTF-8, invalid JSON and JSON nested deeper than the decoder's bound
(orjson refuses past 1,024 levels, in C, without recursion in Python) are 400s.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from gateway.http.errors import HttpError

REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
INVALID_JSON = "INVALID_JSON"
INVALID_UTF8 = "INVALID_UTF8"
JSON_TOO_DEEP = "JSON_TOO_DEEP"
BAD_REQUEST = "BAD_REQUEST"


def too_large(limit: int) -> HttpError:
    return HttpError(413, REQUEST_TOO_LARGE, f"the request body is larger than {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or a 413 as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HttpError(400, BAD_REQUEST, "invalid Content-Length")
        if int(declared) > limit:
            raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_json(body: bytes) -> Any:
    if not body:
        raise HttpError(400, BAD_REQUEST, "the request body is empty")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, INVALID_UTF8, "the request body is not valid UTF-8") from None
        if "depth" in str(error) or "recursion" in str(error):
            raise HttpError(400, JSON_TOO_DEEP, "the request body is nested too deeply") from None
        raise HttpError(400, INVALID_JSON, "the request body is not valid JSON") from None


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """The parameters of one GraphQL request (query may be absent for a persisted query)."""

    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None


def _optional(data: Mapping[str, Any], name: str, kind: type, what: str) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        raise HttpError(400, BAD_REQUEST, f"`{name}` must be {what}")
    return value


def parse_params(data: object) -> GraphQLParams:
    """The parameters of a JSON body (a map), each of the type the spec requires."""
    if not isinstance(data, dict):
        raise HttpError(400, BAD_REQUEST, "the request body must be a JSON object")
    return GraphQLParams(
        query=_optional(data, "query", str, "a string"),
        operation_name=_optional(data, "operationName", str, "a string"),
        variables=_optional(data, "variables", dict, "a map"),
        extensions=_optional(data, "extensions", dict, "a map"),
    )


def query_string_params(params: Mapping[str, str]) -> GraphQLParams:
    """The parameters of a GET request: `variables` and `extensions` are JSON strings."""
    decoded: dict[str, Any] = {
        "query": params.get("query"),
        "operationName": params.get("operationName") or None,
    }
    for name in ("variables", "extensions"):
        raw = params.get(name)
        if raw:
            decoded[name] = decode_json(raw.encode())
    return parse_params(decoded)
