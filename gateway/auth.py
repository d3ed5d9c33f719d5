"""Authentication at the edge: a bearer JWT becomes a Principal; no token means PUBLIC.

A bad token is a 401 here, with `WWW-Authenticate` and a GraphQL-shaped JSON error whose
`extensions.code` is UNAUTHENTICATED; resolvers never see one.
"""

from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import Response

from gateway.domain import PrincipalTier, RegionLevel, Role
from gateway.principal import PUBLIC, Principal
from gateway.regions import RegionIndex, level_of

_REGION_LEVEL = {
    PrincipalTier.PROVINCIAL: RegionLevel.PROVINCE,
    PrincipalTier.REGENCY: RegionLevel.REGENCY,
}
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


@dataclass(frozen=True)
class TokenVerifier:
    """Verifies tokens with an explicit algorithm allow-list and required claims."""

    key: str
    algorithms: tuple[str, ...]
    issuer: str
    audience: str
    regions: RegionIndex
    leeway_seconds: int = 30

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=list(self.algorithms),
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"invalid token: {error}") from None
        return principal_from_claims(claims, self.regions)


def principal_from_claims(claims: dict[str, Any], regions: RegionIndex) -> Principal:
    try:
        tier = PrincipalTier(claims["tier"])
        role = Role(claims["role"]) if claims.get("role") is not None else None
    except (KeyError, ValueError):
        raise AuthenticationError("invalid token: missing or unknown `tier` or `role`") from None
    if tier is PrincipalTier.PUBLIC:
        raise AuthenticationError("invalid token: PUBLIC callers send no token")
    region = claims.get("region")
    expected_level = _REGION_LEVEL.get(tier)
    if expected_level is not None:
        if (
            not isinstance(region, str)
            or region not in regions
            or level_of(region) is not expected_level
        ):
            raise AuthenticationError(
                f"invalid token: `region` must be a {expected_level.value.lower()} code"
            )
    elif region is not None:
        raise AuthenticationError(f"invalid token: a {tier.value} token carries no `region`")
    agency = claims.get("agency")
    if agency is not None and not isinstance(agency, str):
        raise AuthenticationError("invalid token: `agency` must be a string")
    return Principal(tier=tier, subject=str(claims["sub"]), region=region, agency=agency, role=role)


class PrincipalUser(BaseUser):
    """Starlette's view of a principal (`request.user`)."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return self.principal is not PUBLIC

    @property
    def display_name(self) -> str:
        return self.principal.subject or "public"

    @property
    def identity(self) -> str:
        return self.principal.subject or ""


class BearerAuthBackend(AuthenticationBackend):
    def __init__(self, verifier: TokenVerifier | None) -> None:
        self.verifier = verifier

    async def authenticate(
        self, conn: HTTPConnection
    ) -> tuple[AuthCredentials, PrincipalUser] | None:
        header = conn.headers.get("authorization")
        if not header:
            return AuthCredentials(), PrincipalUser(PUBLIC)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("expected `Authorization: Bearer <token>`")
        if self.verifier is None:
            raise AuthenticationError("this gateway accepts no tokens")
        principal = self.verifier.verify(token.strip())
        return AuthCredentials([principal.tier.value]), PrincipalUser(principal)


def unauthenticated(_: HTTPConnection, error: Exception) -> Response:
    body = {"errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]}
    return Response(
        orjson.dumps(body),
        status_code=401,
        media_type="application/json",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
