"""Errors the gateway raises on purpose, each with a stable `extensions.code`.

GatewayError
├── ConfigurationError        (start-up: bad settings or registry; never reaches a client)
├── BadUserInputError         BAD_USER_INPUT
├── AuthenticationError       UNAUTHENTICATED
├── AuthorizationError        FORBIDDEN
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
