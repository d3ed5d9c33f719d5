"""Schema extensions: stable error codes, masking, and source problems beside the data."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.errors import GatewayError
from resolvers.context import GatewayContext

logger = logging.getLogger("lapor.errors")


def coded_error(error: GraphQLError) -> GraphQLError:
    """Every error leaves with an `extensions.code`; unexpected ones are masked."""
    original = error.original_error
    if isinstance(original, GatewayError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions=original.extensions,
        )
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
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class GatewayErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        errors = [coded_error(error) for error in result.errors or ()]
        context = self.execution_context.context
        if isinstance(context, GatewayContext):
            errors += [
                GraphQLError(
                    problem.failure.message,
                    path=list(problem.path),
                    extensions={"code": problem.failure.code, "source": problem.failure.source_id},
                )
                for problem in context.problems
            ]
        result.errors = errors or None
