"""Coded, masked errors of the source service: the gateway learns what failed, not how.

Every error leaves with an `extensions.code` the gateway maps onto its own source errors:
SOURCE_TIMEOUT (the database call outlived `timeout`), SOURCE_UNAVAILABLE (the database is
unreachable), BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, and INTERNAL_SERVER_ERROR for the
rest, whose text stays in this service's log.
"""

import logging
from collections.abc import Iterator

from sqlalchemy.exc import InterfaceError, OperationalError
from strawberry.extensions import SchemaExtension

from gateway.error_masking import coded_error
from gateway.errors import GatewayError, SourceTimeoutError, SourceUnavailableError

logger = logging.getLogger("lapor.service")


def database_failure(original: BaseException) -> GatewayError | None:
    """The database's timeouts and outages, as the codes the gateway maps (logged here)."""
    if isinstance(original, TimeoutError):
        logger.warning("database call timed out")
        return SourceTimeoutError("source timed out")
    if isinstance(original, OSError | OperationalError | InterfaceError):
        logger.warning("database unavailable", exc_info=original)
        return SourceUnavailableError("source unavailable")
    return None


class ServiceErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [
                coded_error(error, logger, classify=database_failure) for error in result.errors
            ]
