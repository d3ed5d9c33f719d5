"""One masking for every GraphQL error that leaves a process, the gateway's and the source
service's alike: each carries a stable `extensions.code`; the gateway's own errors keep their
message; an unexpected one is logged here and leaves as "Internal server error", with only the
request id that finds it in the logs."""

import logging
from collections.abc import Callable

from graphql import GraphQLError

from gateway.errors import GatewayError

Classify = Callable[[BaseException], GatewayError | None]
"""A process's known failures that are not `GatewayError`s (the source service's database
timeouts and outages): the coded error each stands for, else None."""


def _unknown(_: BaseException) -> GatewayError | None:
    return None


def coded_error(
    error: GraphQLError,
    logger: logging.Logger,
    *,
    request_id: str = "",
    classify: Classify = _unknown,
) -> GraphQLError:
    original = error.original_error
    if original is None:  # a document error (syntax, validation, limits): its own code
        code = (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED"
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code},
        )
    if isinstance(original, GraphQLError):  # a value graphql-core refused to coerce
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT"},
        )
    known = original if isinstance(original, GatewayError) else classify(original)
    if known is not None:
        return GraphQLError(
            known.message, nodes=error.nodes, path=error.path, extensions=known.extensions
        )
    logger.error(
        "unexpected error at %s",
        error.path,
        exc_info=original,
        extra={"request_id": request_id, "code": "INTERNAL_SERVER_ERROR"},
    )
    extensions: dict[str, object] = {"code": "INTERNAL_SERVER_ERROR"}
    if request_id:
        extensions["requestId"] = request_id
    return GraphQLError(
        "Internal server error", nodes=error.nodes, path=error.path, extensions=extensions
    )
