"""Errors the gateway raises on purpose, each with a stable `extensions.code`.

GatewayError
├── ConfigurationError        (start-up: bad settings or registry; never reaches a client)
├── BadUserInputError         BAD_USER_INPUT
├── AuthenticationError       UNAUTHENTICATED
├── AuthorizationError        FORBIDDEN
├── AggregateQuotaError       AGGREGATE_QUOTA_EXCEEDED
│   └── AggregateQuotaUnavailableError AGGREGATE_QUOTA_UNAVAILABLE
├── StatsTooLargeError        STATS_TOO_LARGE
└── SourceError               SOURCE_ERROR
    ├── SourceTimeoutError    SOURCE_TIMEOUT
    ├── SourceUnavailableError SOURCE_UNAVAILABLE
    ├── SourceBadResponseError SOURCE_BAD_RESPONSE
    └── SourceTooLargeError   SOURCE_TOO_LARGE
"""

from typing import ClassVar


class GatewayError(Exception):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: object) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, object] = {"code": self.code, **extensions}


class ConfigurationError(GatewayError):
    code = "CONFIGURATION_ERROR"


class BadUserInputError(GatewayError):
    code = "BAD_USER_INPUT"


class AuthenticationError(GatewayError):
    code = "UNAUTHENTICATED"


class AuthorizationError(GatewayError):
    code = "FORBIDDEN"


class StatsTooLargeError(GatewayError):
    """A `complaintStats` grouping could produce more buckets than the cap (refused before
    any source is called; see `gateway.stats_size`)."""

    code = "STATS_TOO_LARGE"


class AggregateQuotaError(GatewayError):
    """Today's distinct aggregate queries outside the caller's own scope are spent."""

    code = "AGGREGATE_QUOTA_EXCEEDED"


class AggregateQuotaUnavailableError(AggregateQuotaError):
    """The shared disclosure budget cannot be checked, so the aggregate is refused."""

    code = "AGGREGATE_QUOTA_UNAVAILABLE"


class AuditUnavailableError(GatewayError):
    code = "AUDIT_UNAVAILABLE"


class SourceError(GatewayError):
    code = "SOURCE_ERROR"


class SourceTimeoutError(SourceError):
    code = "SOURCE_TIMEOUT"


class SourceUnavailableError(SourceError):
    code = "SOURCE_UNAVAILABLE"


class SourceBadResponseError(SourceError):
    code = "SOURCE_BAD_RESPONSE"


class SourceTooLargeError(SourceError):
    """A source's answer exceeded the size the gateway accepts from it (read no further)."""

    code = "SOURCE_TOO_LARGE"
