"""Identifiers: opaque global node ids, and the home region encoded in local ids.

A complaint's local id is `<handling region or KL>-<serial>` and an agency code is
`<region, KL or BUMN>-<slug>`, so the planner can route a lookup to the one source that owns
the region instead of asking every source.
"""

import base64
import binascii

from gateway.errors import BadUserInputError
from gateway.regions import NATIONAL, RegionIndex


def encode_node_id(type_name: str, local_id: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def decode_node_id(node_id: str) -> tuple[str, str]:
    """(type name, local id); a string that is no node id at all is a client mistake."""
    try:
        padded = node_id + "=" * (-len(node_id) % 4)
        type_name, _, local_id = base64.urlsafe_b64decode(padded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInputError("not a valid node id") from None
    if not type_name or not local_id:
        raise BadUserInputError("not a valid node id")
    return type_name, local_id


def home_region(local_id: str, regions: RegionIndex) -> str | None:
    """The region a complaint id or agency code belongs to; None when it names none."""
    prefix = local_id.split("-", 1)[0]
    if prefix in regions:
        return prefix
    if prefix in {"KL", "BUMN"}:
        return NATIONAL
    return None
