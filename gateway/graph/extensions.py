"""Schema extensions: prepared documents (parse, limits and validation, cached), stable error
codes, masking, and source problems beside the data."""

import logging
from collections.abc import Callable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.admission.documents import DocumentCache
from gateway.error_masking import coded_error
from gateway.federation.context import GatewayContext

logger = logging.getLogger("lapor.errors")


class PreparedDocuments(SchemaExtension):
    """Parse and validate through the shared `DocumentCache`: the gateway's limits are part of
    validation, and each distinct document is parsed, measured and validated once."""

    def __init__(self, documents: DocumentCache) -> None:
        super().__init__()
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query is not None:
            prepared = self.documents.prepare(context.query)
            if prepared.document is None:
                # A syntax error or a refused length: raised where strawberry expects it.
                raise prepared.errors[0]
            context.graphql_document = prepared.document
            if prepared.errors:
                context.pre_execution_errors = list(prepared.errors)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None:
            # Valid documents come from the cache with no errors; an empty list tells
            # strawberry that validation has run.
            context.pre_execution_errors = []
        yield


def prepared_documents(documents: DocumentCache) -> Callable[[], PreparedDocuments]:
    """An extension factory: strawberry builds extensions per request."""
    return lambda: PreparedDocuments(documents)


class GatewayErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        context = self.execution_context.context
        request_id = context.request_id if isinstance(context, GatewayContext) else ""
        errors = [
            coded_error(error, logger, request_id=request_id) for error in result.errors or ()
        ]
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
