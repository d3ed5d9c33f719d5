"""Per-call scope tokens: how the gateway tells a remote source which rows a call may read.

Every call to a source service carries a short-lived ES256 JWT signed with the gateway's
source-token key. Its `aud` is the one source it is meant for, and its `scope` claim is the
`RowScope` of the call (plus, for stats, the `split` scope whose rows count as the caller's
own). The source service enforces that scope itself and takes none from the query arguments,
so a compromised or buggy gateway path cannot widen a call beyond what it signed, and a
token leaked from one source cannot be replayed on another or after its minute is up.

    {"iss": "lapor-gateway", "aud": "reg-12.71", "iat": ..., "exp": iat + 30,
     "scope": {"region": "12.71", "published_only": false,
               "split": {"region": "12.71", "published_only": false}}}

`split` is present only on stats calls that split; absent means no complaint is inside.
"""

import hashlib
import json
import os
import re
import time
from base64 import urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256R1,
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
    generate_private_key,
)
from jwt.algorithms import ECAlgorithm

from gateway.errors import ConfigurationError
from gateway.policy import RowScope

ALGORITHM = "ES256"
SCOPE_CLAIM = "scope"
OPERATION_CLAIM = "op"
OPERATIONS = frozenset({"rows", "stats", "write"})
"""What a token is good for: reading rows, counting (every region's counts, no rows), or
writing one complaint inside its scope."""
DEFAULT_ISSUER = "lapor-gateway"
DEFAULT_TTL_SECONDS = 30
MAX_TTL_SECONDS = 60
"""Sources refuse tokens living longer than this (exp - iat)."""
PRIVATE_KEY_FILE = "source-token-key.pem"
PUBLIC_KEY_FILE = "source-token-key.pub.pem"
_REGION = re.compile(r"\d{2}(\.\d{2})?")
_CACHE_LIMIT = 4096

Clock = Callable[[], float]


class ScopeClaimError(ValueError):
    """A `scope` claim that is not exactly the shape the contract defines."""


@dataclass(frozen=True, slots=True)
class ScopeClaim:
    """What a token lets one call read: `scope` rows; `split` rows count as the caller's own
    in stats (None: none do)."""

    scope: RowScope
    split: RowScope | None = None
    operation: str = "rows"
    """`rows` (pages, lookups, children, reporters) or `stats`: a stats token reads every
    region's counts, so it must never be accepted for rows."""


def _scope_json(scope: RowScope) -> dict[str, object]:
    return {"region": scope.region, "published_only": scope.published_only}


def encode_scope(claim: ScopeClaim) -> dict[str, object]:
    encoded = _scope_json(claim.scope)
    if claim.split is not None:
        encoded["split"] = _scope_json(claim.split)
    return encoded


def _parse_scope(value: object, *, allow_split: bool) -> tuple[RowScope, object]:
    if not isinstance(value, dict):
        raise ScopeClaimError("`scope` must be an object")
    allowed = {"region", "published_only", "split"} if allow_split else {"region", "published_only"}
    if not value.keys() <= allowed or not {"region", "published_only"} <= value.keys():
        raise ScopeClaimError("`scope` must hold `region` and `published_only` only")
    region, published_only = value["region"], value["published_only"]
    if region is not None and not (
        isinstance(region, str) and (region == "" or _REGION.fullmatch(region))
    ):
        raise ScopeClaimError("`scope.region` must be null, empty or a region code")
    if not isinstance(published_only, bool):
        raise ScopeClaimError("`scope.published_only` must be a boolean")
    return RowScope(region=region, published_only=published_only), value.get("split")


def decode_scope(value: object) -> ScopeClaim:
    """The scope claim of a verified token, checked strictly (anything else is refused)."""
    scope, split = _parse_scope(value, allow_split=True)
    if split is None:
        return ScopeClaim(scope)
    return ScopeClaim(scope, _parse_scope(split, allow_split=False)[0])


def load_private_key(path: Path) -> EllipticCurvePrivateKey:
    """The gateway's source-token key: a PEM EC P-256 private key (PKCS#8 or SEC1)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not an unencrypted PEM key"
        raise ConfigurationError(f"source token key {path}: {reason}") from None
    if not isinstance(key, EllipticCurvePrivateKey) or not isinstance(key.curve, SECP256R1):
        raise ConfigurationError(f"source token key {path}: ES256 needs an EC P-256 key")
    return key


def key_id(public_key: EllipticCurvePublicKey) -> str:
    """RFC 7638 thumbprint: the same key always has the same `kid`, at both ends."""
    jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(public_key))
    canonical = json.dumps(
        {name: jwk[name] for name in ("crv", "kty", "x", "y")}, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def public_jwks(public_key: EllipticCurvePublicKey) -> dict[str, list[dict[str, object]]]:
    """A JWKS of the public key, for a source's `gateway_public_key_file`."""
    jwk: dict[str, object] = json.loads(ECAlgorithm.to_jwk(public_key))
    jwk.update(kid=key_id(public_key), alg=ALGORITHM, use="sig")
    return {"keys": [jwk]}


def write_key_pair(private_path: Path, public_path: Path) -> EllipticCurvePrivateKey:
    """A new P-256 key pair: the private PEM readable by its owner only, the public PEM."""
    key = generate_private_key(SECP256R1())
    private_path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key


def demo_source_key(data_dir: Path) -> Path:
    """The data directory's source-token key (created once, like the demo HS256 secret);
    its public half sits beside it for the source services."""
    private_path = data_dir / PRIVATE_KEY_FILE
    if not private_path.exists():
        write_key_pair(private_path, data_dir / PUBLIC_KEY_FILE)
    return private_path


class SourceTokenSigner:
    """Signs the per-call tokens; a token is reused for the same source and scope while at
    least two thirds of its life remain, so a busy gateway signs a few per second, not one
    per call."""

    def __init__(
        self,
        private_key: EllipticCurvePrivateKey,
        *,
        issuer: str = DEFAULT_ISSUER,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Clock = time.time,
    ) -> None:
        if not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"source tokens live 1 to {MAX_TTL_SECONDS} seconds")
        self._key = private_key
        self.kid = key_id(private_key.public_key())
        self.issuer = issuer
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._cache: dict[tuple[str, ScopeClaim], tuple[str, float]] = {}

    @classmethod
    def from_file(cls, path: Path, *, issuer: str = DEFAULT_ISSUER) -> "SourceTokenSigner":
        return cls(load_private_key(path), issuer=issuer)

    def sign(
        self,
        audience: str,
        scope: RowScope,
        split: RowScope | None = None,
        operation: str = "rows",
    ) -> str:
        """A token for one call to source `audience` reading `scope` (stats: `split`)."""
        claim = ScopeClaim(scope, split, operation)
        now = self._clock()
        cached = self._cache.get((audience, claim))
        if cached is not None and now < cached[1]:
            return cached[0]
        issued = int(now)
        token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": audience,
                "iat": issued,
                "exp": issued + self.ttl_seconds,
                SCOPE_CLAIM: encode_scope(claim),
                OPERATION_CLAIM: claim.operation,
            },
            self._key,
            algorithm=ALGORITHM,
            headers={"kid": self.kid},
        )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[(audience, claim)] = (token, issued + self.ttl_seconds / 3)
        return token
