"""Demo tokens: HS256 JWTs signed with a secret generated once per data directory."""

import secrets
import time
from pathlib import Path

import jwt

from gateway.domain import PrincipalTier, Role

SECRET_FILE = "jwt-secret"  # noqa: S105 - a file name, not a secret
DEMO_ISSUER = "lapor-gateway-demo"
AUDIENCE = "lapor-gateway"
DEFAULT_TTL_SECONDS = 12 * 3600


def demo_secret(data_dir: Path) -> str:
    """The data directory's secret, created (readable by its owner only) on first use."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def issue_demo_token(
    secret: str,
    tier: PrincipalTier,
    *,
    region: str | None = None,
    agency: str | None = None,
    role: Role | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": f"demo-{tier.value.lower()}" + (f"-{region}" if region else ""),
        "tier": tier.value,
        "iss": DEMO_ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
    }
    for name, value in (("region", region), ("agency", agency), ("role", role and role.value)):
        if value is not None:
            claims[name] = value
    return jwt.encode(claims, secret, algorithm="HS256")
