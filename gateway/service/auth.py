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

from gateway.auth import _header, _invalid, _reason
from gateway.errors import ConfigurationError
from gateway.keys import MAX_KID_LENGTH, JwksError, JwksFileKeys, KeySource, SigningKey
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

_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", SCOPE_CLAIM]
_VERIFIED_LIMIT = 4096


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
    _verified: dict[str, tuple[ScopeClaim, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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
        """The token's scope claim. The gateway reuses a token for some seconds, so a token
        verified once is remembered by its exact bytes until it expires (its signature
        cannot change without the bytes changing; a key removed from a JWKS therefore stops
        verifying within a token's life, at most a minute)."""
        remembered = self._verified.get(token)
        if remembered is not None:
            if time.time() < remembered[1] + self.leeway_seconds:
                return remembered[0]
            del self._verified[token]
        claim, expires = await self._verify(token)
        if len(self._verified) >= _VERIFIED_LIMIT:
            self._verified.clear()
        self._verified[token] = (claim, expires)
        return claim

    async def _verify(self, token: str) -> tuple[ScopeClaim, float]:
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise _invalid("algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
            raise _invalid("no `kid`")
        key = await self.keys.get(kid)
        if key is None:
            raise _invalid("unknown signing key")
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
            raise _invalid(_reason(error)) from None
        self._check_lifetime(claims)
        if claims["aud"] != self.audience:  # one source per token: never a list of them
            raise _invalid("wrong audience")
        try:
            operation = claims.get(OPERATION_CLAIM, "rows")
            if operation not in OPERATIONS:
                raise ScopeClaimError("`op` must be `rows` or `stats`")
            claim = replace(decode_scope(claims[SCOPE_CLAIM]), operation=operation)
            return claim, float(claims["exp"])
        except ScopeClaimError:
            raise _invalid("bad `scope`") from None

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        issued, expires = claims["iat"], claims["exp"]
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (issued, expires)
        ):
            raise _invalid("bad `iat` or `exp`")
        if expires - issued > self.max_lifetime_seconds:
            raise _invalid("lives too long")
        if issued > time.time() + self.leeway_seconds:
            raise _invalid("issued in the future")
