"""Opaque, stable keyset cursors for the merged complaint order.

A cursor is the (submitted_at, id) of the last row seen plus the order it belongs to. The pair is
unique across all sources, so each source can resume exactly after it and the k-way merge
yields every complaint once.

The local id holds a region's serial in submission order, published or not, so a readable
cursor would let the public count the unpublished complaints between two it can see. Cursors
are sealed like global node ids (`gateway/federation/ids.py`, purpose `CURSOR`) under the same
key: every replica with the key accepts them, and a string the key did not seal as a cursor is
refused like any string that is no cursor. Times always carry microseconds, so every cursor of
a real complaint id seals to the same length.
"""

from datetime import datetime

import orjson

from gateway.errors import BadUserInputError
from gateway.federation.ids import NodeIdCodec, SealPurpose
from gateway.sources.base import Keyset, SortOrder

_VERSION = 1
_NOT_A_CURSOR = "`after` is not a cursor from this API"


def encode_cursor(codec: NodeIdCodec, order: SortOrder, keyset: Keyset) -> str:
    submitted_at = keyset.submitted_at.isoformat(timespec="microseconds")
    payload = orjson.dumps([_VERSION, order.value, submitted_at, keyset.id])
    return codec.seal(SealPurpose.CURSOR, payload.decode())


def decode_cursor(codec: NodeIdCodec, cursor: str, order: SortOrder) -> Keyset:
    payload = codec.unseal(SealPurpose.CURSOR, cursor)
    if payload is None:
        raise BadUserInputError(_NOT_A_CURSOR)
    try:
        version, cursor_order, submitted_at, local_id = orjson.loads(payload)
        keyset = Keyset(datetime.fromisoformat(submitted_at), str(local_id))
    except (ValueError, TypeError):  # orjson.JSONDecodeError is a ValueError
        raise BadUserInputError(_NOT_A_CURSOR) from None
    if keyset.submitted_at.tzinfo is not None:
        raise BadUserInputError(_NOT_A_CURSOR)
    if version != _VERSION or cursor_order != order.value:
        raise BadUserInputError("`after` belongs to a different ordering; start again without it")
    return keyset
