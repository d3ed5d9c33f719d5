"""Authentication at the edge: a bearer JWT becomes a Principal; no token means PUBLIC.

Production tokens are RS256/ES256, signed by a key of the configured JWKS named by the
header's `kid`, and must carry `exp`, `iss`, `aud` and `sub` (`JwksVerifier`). Demo tokens are
HS256 with the data directory's secret (`TokenVerifier`). Either way the algorithm comes from
an explicit allow-list and the leeway is bounded.

A bad token is a 401 here, with `WWW-Authenticate` and a GraphQL-shaped JSON error whose
`extensions.code` is UNAUTHENTICATED and a short reason; resolvers never see one.
"""

import base64
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

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
from gateway.keys import KEY_TYPES, MAX_KID_LENGTH, KeySource, PublicKey, SigningKey
from gateway.principal import PUBLIC, Principal
from gateway.regions import RegionIndex, level_of

_REGION_LEVEL = {
    PrincipalTier.PROVINCIAL: RegionLevel.PROVINCE,
    PrincipalTier.REGENCY: RegionLevel.REGENCY,
}
_DEMO_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
_DEMO_ALGORITHMS = frozenset({"HS256"})
_JWKS_ALGORITHMS = frozenset(KEY_TYPES)
_MAX_TOKEN_LENGTH = 16 * 1024
_PUBLIC_KEY_MARKERS = ("-----BEGIN", "ssh-", "{")

# Short reasons for the 401 message: the type of the failure, never PyJWT's own wording (which
# may quote header bytes) and never key material.
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not yet valid"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "algorithm not accepted"),
    (jwt.InvalidIssuedAtError, "bad `iat`"),
    (jwt.exceptions.InvalidSubjectError, "bad `sub`"),
    (jwt.DecodeError, "malformed"),
)


def invalid_token(reason: str) -> AuthenticationError:
    return AuthenticationError(f"invalid token: {reason}")


def rejection_reason(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"missing `{error.claim}`"
    return next((text for kind, text in _REASONS if isinstance(error, kind)), "rejected")


def _decode(
    token: str,
    key: str | PublicKey,
    algorithm: str,
    *,
    issuer: str,
    audience: str,
    leeway_seconds: int,
    required: list[str],
) -> dict[str, Any]:
    if len(token) > _MAX_TOKEN_LENGTH:
        raise invalid_token("too long")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            leeway=leeway_seconds,
            options={"require": required},
        )
    except jwt.PyJWTError as error:
        raise invalid_token(rejection_reason(error)) from None
    return claims


def _header(token: str) -> dict[str, Any]:
    """The unverified header, to pick the key: only the first segment is decoded here.

    `jwt.decode` parses the whole token again, strictly, and must agree on the algorithm, so
    this lookup cannot widen what is accepted; it only avoids decoding the token twice.
    """
    return _segment(token, 0)


def verified_expiry(token: str) -> float:
    """The `exp` of a token that has just verified (its payload, decoded without checking
    again); 0 if it has none."""
    try:
        expires = _segment(token, 1).get("exp")
    except AuthenticationError:
        return 0.0
    return float(expires) if isinstance(expires, int | float) else 0.0


def _segment(token: str, index: int) -> dict[str, Any]:
    """One base64url JSON segment of a token, decoded without verification."""
    if len(token) > _MAX_TOKEN_LENGTH:
        raise invalid_token("too long")
    segments = token.split(".")
    if len(segments) < 2 or index >= len(segments):
        raise invalid_token("malformed")
    segment = segments[index]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):  # binascii.Error and UnicodeDecodeError included
        raise invalid_token("malformed") from None
    if not isinstance(decoded, dict):
        raise invalid_token("malformed")
    return decoded


class BearerVerifier(Protocol):
    """What the edge needs: a bearer token in, a principal out (or AuthenticationError)."""

    async def verify_async(self, token: str) -> Principal: ...


@dataclass(frozen=True)
class TokenVerifier:
    """Demo tokens: HS256 with the data directory's secret, and nothing else.

    The secret is only ever an HMAC secret; a PEM or JWK public key is refused here, so the
    "HS256 signed with the RSA public key" confusion cannot be configured.
    """

    key: str
    algorithms: tuple[str, ...]
    issuer: str
    audience: str
    regions: RegionIndex
    leeway_seconds: int = 30

    def __post_init__(self) -> None:
        if not self.algorithms or not _DEMO_ALGORITHMS.issuperset(self.algorithms):
            raise ValueError("TokenVerifier verifies HS256 demo tokens only")
        if not self.key or self.key.lstrip().startswith(_PUBLIC_KEY_MARKERS):
            raise ValueError("an HS256 secret must be a random string, never a (public) key")

    def verify(self, token: str) -> Principal:
        claims = _decode(
            token,
            self.key,
            "HS256",
            issuer=self.issuer,
            audience=self.audience,
            leeway_seconds=self.leeway_seconds,
            required=_DEMO_REQUIRED_CLAIMS,
        )
        return principal_from_claims(claims, self.regions)

    async def verify_async(self, token: str) -> Principal:
        return self.verify(token)


async def signing_key_for(token: str, keys: KeySource, algorithms: Collection[str]) -> SigningKey:
    """The key of `keys` a token's header names by `kid`, for an allowed `alg` that is the key's
    own (a key verifies only with the algorithm it was published for); the one key check of
    the gateway's bearer tokens and of the source service's scope tokens."""
    header = _header(token)
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in algorithms:
        raise invalid_token("algorithm not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise invalid_token("no `kid`")
    key = await keys.get(kid)
    if key is None:
        raise invalid_token("unknown signing key")
    if key.algorithm != algorithm:
        raise invalid_token("algorithm does not match the signing key")
    return key


@dataclass(frozen=True)
class JwksVerifier:
    """Production tokens: RS256/ES256 signed by a key of the JWKS, found by the header's `kid`.

    The header's `alg` must be allowed and must be the key's own algorithm: a key verifies only
    with the algorithm it was published for.
    """

    keys: KeySource
    algorithms: tuple[str, ...]
    issuer: str
    audience: str
    regions: RegionIndex
    leeway_seconds: int = 30

    def __post_init__(self) -> None:
        if not self.algorithms or not _JWKS_ALGORITHMS.issuperset(self.algorithms):
            raise ValueError("JwksVerifier verifies RS256 and ES256 tokens only")

    async def verify_async(self, token: str) -> Principal:
        key = await signing_key_for(token, self.keys, self.algorithms)
        claims = _decode(
            token,
            key.public_key,
            key.algorithm,
            issuer=self.issuer,
            audience=self.audience,
            leeway_seconds=self.leeway_seconds,
            required=_REQUIRED_CLAIMS,
        )
        return principal_from_claims(claims, self.regions)


@dataclass(frozen=True)
class DemoOrJwksVerifier:
    """Demo mode with JWKS keys too: HS256 tokens go to the demo secret, the others to JWKS."""

    demo: TokenVerifier
    jwks: JwksVerifier

    async def verify_async(self, token: str) -> Principal:
        if _header(token).get("alg") == "HS256":
            return self.demo.verify(token)
        return await self.jwks.verify_async(token)


def principal_from_claims(claims: dict[str, Any], regions: RegionIndex) -> Principal:
    try:
        tier = PrincipalTier(claims["tier"])
        role = Role(claims["role"]) if claims.get("role") is not None else None
    except (KeyError, ValueError, TypeError):
        raise AuthenticationError("invalid token: missing or unknown `tier` or `role`") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("invalid token: `sub` must be a non-empty string")
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
    return Principal(tier=tier, subject=subject, region=region, agency=agency, role=role)


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
    def __init__(self, verifier: BearerVerifier | None) -> None:
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
        principal = await self.verifier.verify_async(token.strip())
        return AuthCredentials([principal.tier.value]), PrincipalUser(principal)


def unauthenticated(_: HTTPConnection, error: Exception) -> Response:
    body = {"errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]}
    return Response(
        orjson.dumps(body),
        status_code=401,
        media_type="application/json",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
