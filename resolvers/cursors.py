"""Opaque, stable keyset cursors for the merged complaint order.

A cursor is the (submitted_at, id) of the last row seen plus the order it belongs to. The pair is
unique across all sources, so each source can resume exactly after it and the k-way merge
yields every complaint once.
"""

import base64
import binascii
from datetime import datetime

import orjson

from gateway.errors import BadUserInputError
from gateway.sources.base import Keyset, SortOrder

_VERSION = 1


def encode_cursor(order: SortOrder, keyset: Keyset) -> str:
    payload = orjson.dumps([_VERSION, order.value, keyset.submitted_at.isoformat(), keyset.id])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, order: SortOrder) -> Keyset:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, cursor_order, submitted_at, local_id = orjson.loads(
            base64.urlsafe_b64decode(padded)
        )
        keyset = Keyset(datetime.fromisoformat(submitted_at), str(local_id))
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError):
        raise BadUserInputError("`after` is not a cursor from this API") from None
    if keyset.submitted_at.tzinfo is not None:
        raise BadUserInputError("`after` is not a cursor from this API")
    if version != _VERSION or cursor_order != order.value:
        raise BadUserInputError("`after` belongs to a different ordering; start again without it")
    return keyset
