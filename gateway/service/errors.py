"""Coded, masked errors of the source service: the gateway learns what failed, not how.

Every error leaves with an `extensions.code` the gateway maps onto its own source errors:
SOURCE_TIMEOUT (the database call outlived `timeout`), SOURCE_UNAVAILABLE (the database is
unreachable), BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, and INTERNAL_SERVER_ERROR for the
rest, whose text stays in this service's log.
"""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from sqlalchemy.exc import InterfaceError, OperationalError
from strawberry.extensions import SchemaExtension

from gateway.errors import GatewayError

logger = logging.getLogger("lapor.service")


def _coded(error: GraphQLError, message: str, code: str) -> GraphQLError:
    return GraphQLError(message, nodes=error.nodes, path=error.path, extensions={"code": code})


def coded_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        code = (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED"
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code},
        )
    if isinstance(original, GatewayError):
        return GraphQLError(
            original.message, nodes=error.nodes, path=error.path, extensions=original.extensions
        )
    if isinstance(original, TimeoutError):
        logger.warning("database call at %s timed out", error.path)
        return _coded(error, "source timed out", "SOURCE_TIMEOUT")
    if isinstance(original, OSError | OperationalError | InterfaceError):
        logger.warning("database unavailable at %s", error.path, exc_info=original)
        return _coded(error, "source unavailable", "SOURCE_UNAVAILABLE")
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return _coded(error, "Internal server error", "INTERNAL_SERVER_ERROR")


class ServiceErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [coded_error(error) for error in result.errors]
