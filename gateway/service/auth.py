"""The source service's door: only the gateway's short-lived, signed scope tokens get in.

A call must carry `Authorization: Bearer <token>`: an ES256 JWT signed with the gateway's
source-token key (a PEM public key, or a JWKS file with `kid`s for rotation), with `exp`,
`iat`, `iss`, `aud` (this source, as a string) and a `scope` claim, living at most
`max_token_lifetime_seconds`. Anything else is a 401 before the request body is read. The
verified scope is the only row scope the service ever applies.
"""

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey

from gateway.auth import invalid_token, rejection_reason, signing_key_for
from gateway.errors import ConfigurationError
from gateway.keys import JwksError, JwksFileKeys, KeySource, SigningKey
from gateway.service.settings import ServiceSettings
from gateway.source_tokens import (
    ALGORITHM,
    OPERATION_CLAIM,
    OPERATIONS,
    SCOPE_CLAIM,
    ScopeClaim,
    ScopeClaimError,
    decode_scope,
)
from gateway.token_cache import VerifiedTokens

_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", SCOPE_CLAIM]


class PemKey(KeySource):
    """One public key from a PEM file: it verifies whatever `kid` a token names."""

    def __init__(self, public_key: EllipticCurvePublicKey) -> None:
        self._key = SigningKey(kid="pem", algorithm=ALGORITHM, public_key=public_key)

    async def get(self, kid: str) -> SigningKey | None:
        return self._key

    @property
    def kids(self) -> frozenset[str]:
        return frozenset({self._key.kid})


def gateway_keys(path: Path) -> KeySource:
    """The gateway's public key(s): a PEM public key, or a JWKS (EC P-256 keys only)."""
    try:
        document = path.read_bytes()
    except OSError as error:
        raise ConfigurationError(f"gateway_public_key_file {path}: {error.strerror}") from None
    if document.lstrip().startswith(b"{"):
        keys = JwksFileKeys(path, algorithms=(ALGORITHM,), max_keys=20, refresh_seconds=60)
        try:
            keys.load()
        except JwksError as error:
            raise ConfigurationError(f"gateway_public_key_file {path}: {error}") from None
        return keys
    try:
        public_key = serialization.load_pem_public_key(document)
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"gateway_public_key_file {path}: neither a PEM public key nor a JWKS"
        ) from None
    if not isinstance(public_key, EllipticCurvePublicKey) or not isinstance(
        public_key.curve, SECP256R1
    ):
        raise ConfigurationError(f"gateway_public_key_file {path}: ES256 needs an EC P-256 key")
    return PemKey(public_key)


@dataclass(frozen=True)
class ScopeTokenVerifier:
    """Verifies the gateway's per-call tokens; `verify` raises starlette's
    `AuthenticationError` with a short reason (never PyJWT's wording, never key material)."""

    keys: KeySource
    issuer: str
    audience: str
    leeway_seconds: int = 5
    max_lifetime_seconds: int = 60
    _verified: VerifiedTokens[ScopeClaim] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The gateway reuses a token for some seconds: one verified is kept by its exact bytes.
        object.__setattr__(self, "_verified", VerifiedTokens(self._verify))

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "ScopeTokenVerifier":
        return cls(
            keys=gateway_keys(settings.gateway_public_key_file),
            issuer=settings.issuer,
            audience=settings.expected_audience,
            leeway_seconds=settings.leeway_seconds,
            max_lifetime_seconds=settings.max_token_lifetime_seconds,
        )

    async def verify(self, token: str) -> ScopeClaim:
        """The token's scope claim (`gateway.token_cache`: kept until the earlier of its `exp`
        and a minute, so a key removed from a JWKS stops verifying within a minute)."""
        return await self._verified.verify_async(token)

    async def _verify(self, token: str) -> ScopeClaim:
        key = await signing_key_for(token, self.keys, (ALGORITHM,))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise invalid_token(rejection_reason(error)) from None
        self._check_lifetime(claims)
        if claims["aud"] != self.audience:  # one source per token: never a list of them
            raise invalid_token("wrong audience")
        try:
            operation = claims.get(OPERATION_CLAIM, "rows")
            if operation not in OPERATIONS:
                raise ScopeClaimError("`op` must be `rows` or `stats`")
            return replace(decode_scope(claims[SCOPE_CLAIM]), operation=operation)
        except ScopeClaimError:
            raise invalid_token("bad `scope`") from None

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        issued, expires = claims["iat"], claims["exp"]
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (issued, expires)
        ):
            raise invalid_token("bad `iat` or `exp`")
        if expires - issued > self.max_lifetime_seconds:
            raise invalid_token("lives too long")
        if issued > time.time() + self.leeway_seconds:
            raise invalid_token("issued in the future")
