"""Opaque keyset cursors, global node ids, and the home region encoded in local ids."""

import base64
from datetime import datetime
from itertools import pairwise

import orjson
import pytest

from gateway.errors import BadUserInputError
from gateway.federation.cursors import decode_cursor, encode_cursor
from gateway.federation.ids import NodeIdCodec, SealPurpose, home_region
from gateway.regions import NATIONAL, load_regions
from gateway.sources.base import Keyset, SortOrder

REGIONS = load_regions()
KEYSET = Keyset(datetime(2024, 3, 5, 8, 30, 15, 123456), "12.71-0000042")
# Fixed keys: what these tests see of the ciphertexts is the same on every run.
KEY = bytes(range(64))
OTHER_KEY = bytes(range(64, 128))
IDS = NodeIdCodec(KEY)
URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def raw(payload: object) -> str:
    """A cursor of the old, readable format: what anyone could write without the key."""
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def sealed(payload: object, key: bytes = KEY) -> str:
    """A payload sealed as a cursor with the key: what only a gateway could write."""
    return NodeIdCodec(key).seal(SealPurpose.CURSOR, orjson.dumps(payload).decode())


def cursor_of(keyset: Keyset, order: SortOrder = SortOrder.SUBMITTED_AT_DESC) -> str:
    return encode_cursor(IDS, order, keyset)


def read_cursor(cursor: str, order: SortOrder = SortOrder.SUBMITTED_AT_DESC) -> Keyset:
    return decode_cursor(IDS, cursor, order)


@pytest.mark.parametrize("order", list(SortOrder))
@pytest.mark.parametrize(
    "keyset",
    [
        KEYSET,
        Keyset(datetime(2023, 1, 1), "KL-0000001"),
        Keyset(datetime(2024, 12, 31, 23, 59, 59, 999999), "31.71-9999999"),
    ],
)
def test_cursor_round_trips(order: SortOrder, keyset: Keyset) -> None:
    assert read_cursor(cursor_of(keyset, order), order) == keyset


def test_cursor_is_opaque_url_safe_and_unpadded() -> None:
    cursor = cursor_of(KEYSET)
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"0000042" not in decoded
    assert b"12.71" not in decoded
    assert b"SUBMITTED_AT" not in decoded
    assert b"2024" not in decoded
    assert "=" not in cursor
    assert set(cursor) <= URL_SAFE


def test_cursor_is_stable_on_every_replica_with_the_key() -> None:
    first = cursor_of(KEYSET, SortOrder.SUBMITTED_AT_ASC)
    assert encode_cursor(NodeIdCodec(KEY), SortOrder.SUBMITTED_AT_ASC, KEYSET) == first
    assert decode_cursor(NodeIdCodec(KEY), first, SortOrder.SUBMITTED_AT_ASC) == KEYSET
    assert encode_cursor(NodeIdCodec(OTHER_KEY), SortOrder.SUBMITTED_AT_ASC, KEYSET) != first


def test_cursors_of_different_orders_differ() -> None:
    assert cursor_of(KEYSET, SortOrder.SUBMITTED_AT_ASC) != cursor_of(
        KEYSET, SortOrder.SUBMITTED_AT_DESC
    )


def test_cursors_of_consecutive_complaints_reveal_no_order_and_one_length() -> None:
    at = datetime(2024, 3, 5, 8, 30, 15)
    cursors = [
        cursor_of(Keyset(at, f"{region}-{serial:07d}"), order)
        for region in ("12.71", "12", "KL")
        for serial in range(1, 101)
        for order in SortOrder
    ] + [cursor_of(KEYSET), cursor_of(Keyset(at, "31.71-9999999"))]
    assert {len(cursor) for cursor in cursors} == {150}  # microseconds or not, any region
    serials = [cursor_of(Keyset(at, f"12.71-{serial:07d}")) for serial in range(1, 201)]
    assert max(common_prefix(a, b) for a, b in pairwise(serials)) <= 4
    rising = sum(a < b for a, b in pairwise(serials))
    assert 60 <= rising <= 140  # about half: the cursors' order is not the serials'


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (SortOrder.SUBMITTED_AT_DESC, SortOrder.SUBMITTED_AT_ASC),
        (SortOrder.SUBMITTED_AT_ASC, SortOrder.SUBMITTED_AT_DESC),
    ],
)
def test_a_cursor_of_another_order_is_bad_user_input(written: SortOrder, read: SortOrder) -> None:
    cursor = cursor_of(KEYSET, written)
    with pytest.raises(BadUserInputError, match="different ordering") as raised:
        read_cursor(cursor, read)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def test_a_cursor_of_another_version_is_bad_user_input() -> None:
    cursor = sealed([2, "SUBMITTED_AT_DESC", KEYSET.submitted_at.isoformat(), KEYSET.id])
    with pytest.raises(BadUserInputError, match="different ordering"):
        read_cursor(cursor)


CURRENT_SHAPE = [1, "SUBMITTED_AT_DESC", "2024-03-05T08:30:15.123456", "12.71-0000042"]


def test_a_cursor_sealed_with_the_key_is_accepted_and_a_handmade_one_is_refused() -> None:
    assert read_cursor(sealed(CURRENT_SHAPE)) == KEYSET
    with pytest.raises(BadUserInputError, match="not a cursor from this API") as raised:
        read_cursor(raw(CURRENT_SHAPE))  # the old, readable format
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def tampered() -> str:
    cursor = cursor_of(KEYSET)
    return cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage!",
        "a",  # one more than a multiple of four: not base64 at all
        "é",  # not ASCII
        tampered(),
        cursor_of(KEYSET)[:-4],  # truncated
        cursor_of(KEYSET)[:-1],
        cursor_of(KEYSET) + "AAAA",  # extended
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),  # not JSON
        raw(CURRENT_SHAPE),  # hand-made: the old, readable format
        sealed(CURRENT_SHAPE, OTHER_KEY),  # another gateway's
        IDS.encode("Complaint", "12.71-0000042"),  # a node id is no cursor
        IDS.seal(SealPurpose.NODE_ID, orjson.dumps(CURRENT_SHAPE).decode()),
        sealed("not a list"),
        sealed(42),
        sealed(None),
        sealed({"version": 1}),
        sealed([1, "SUBMITTED_AT_DESC", "2024-03-05T08:30:15"]),  # too short
        sealed([1, "SUBMITTED_AT_DESC", "2024-03-05T08:30:15", "x", "y"]),  # too long
        sealed([1, "SUBMITTED_AT_DESC", "yesterday", "12.71-1"]),
        sealed([1, "SUBMITTED_AT_DESC", 1_700_000_000, "12.71-1"]),
        sealed([1, "SUBMITTED_AT_DESC", None, "12.71-1"]),
        IDS.seal(SealPurpose.CURSOR, "not JSON"),
    ],
)
def test_a_garbage_forged_or_tampered_cursor_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInputError, match="not a cursor from this API") as raised:
        read_cursor(cursor)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def test_a_cursor_is_no_node_id() -> None:
    with pytest.raises(BadUserInputError, match="not a valid node id"):
        IDS.decode(cursor_of(KEYSET))
    assert IDS.unseal(SealPurpose.NODE_ID, cursor_of(KEYSET)) is None


@pytest.mark.parametrize(
    ("type_name", "local_id"),
    [
        ("Complaint", "12.71-0000001"),
        ("Complaint", "KL-0000001"),
        ("Agency", "BUMN-PLN"),
        ("Region", "12"),
        ("Complaint", "a:b:c"),  # only the first colon separates
    ],
)
def test_node_id_round_trips(type_name: str, local_id: str) -> None:
    node_id = IDS.encode(type_name, local_id)
    assert "=" not in node_id
    assert set(node_id) <= URL_SAFE
    assert IDS.decode(node_id) == (type_name, local_id)


def test_node_id_is_deterministic_per_key() -> None:
    node_id = IDS.encode("Complaint", "12.71-0000042")
    assert NodeIdCodec(KEY).encode("Complaint", "12.71-0000042") == node_id
    assert NodeIdCodec(OTHER_KEY).encode("Complaint", "12.71-0000042") != node_id


def test_node_ids_of_different_types_differ_and_keep_their_type() -> None:
    complaint, agency = IDS.encode("Complaint", "12-1"), IDS.encode("Agency", "12-1")
    assert complaint != agency
    assert complaint[:4] != agency[:4]
    assert IDS.decode(agency) == ("Agency", "12-1")


def test_a_type_name_with_the_separator_is_refused() -> None:
    with pytest.raises(ValueError, match="not a node type name"):
        IDS.encode("Complaint:Agency", "12-1")


def common_prefix(first: str, second: str) -> int:
    return next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b), len(first)
    )


def test_node_ids_of_consecutive_complaints_reveal_no_order() -> None:
    local_ids = [f"12.71-{serial:07d}" for serial in range(1, 201)]
    node_ids = [IDS.encode("Complaint", local_id) for local_id in local_ids]
    assert len(set(node_ids)) == len(node_ids)
    assert {len(node_id) for node_id in node_ids} == {64}
    # Random 6-bit characters share a first character 1 time in 64, five 1 in 64**5.
    assert max(common_prefix(a, b) for a, b in pairwise(node_ids)) <= 4
    assert sum(common_prefix(a, b) for a, b in pairwise(node_ids)) <= 20
    rising = sum(a < b for a, b in pairwise(node_ids))
    assert 60 <= rising <= 140  # about half: the ids' order is not the serials'
    assert sorted(node_ids) != node_ids
    assert sorted(node_ids, reverse=True) != node_ids


@pytest.mark.parametrize(
    "local_id", ["12.71-0000001", "12-0000001", "KL-0000001", "31.71-9999999", "1-1"]
)
def test_a_complaint_id_is_as_long_as_any_other(local_id: str) -> None:
    # Padding: an id's length does not tell a regency's complaint from a province's or KL's.
    assert len(IDS.encode("Complaint", local_id)) == 64


def forged(text: str) -> str:
    """An id of the old, readable format: what anyone could write without the key."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


REAL = IDS.encode("Complaint", "12.71-0000042")


@pytest.mark.parametrize(
    "node_id",
    [
        "",
        "a",  # one more than a multiple of four
        "!!!!",
        "é",
        "A" * 10_000,
        base64.urlsafe_b64encode(b"\xff\xfe:x").decode(),  # not UTF-8
        forged("Complaint"),  # no separator
        forged("Complaint:"),  # no local id
        forged(":12.71-1"),  # no type
        forged("Complaint:12.71-0000042"),  # the old format, now forged
        NodeIdCodec(OTHER_KEY).encode("Complaint", "12.71-0000042"),  # another gateway's
        REAL[:-1],
        REAL[:-4],  # truncated, still valid base64
        REAL[:22],  # too short to hold a tag
        REAL + "AAAA",  # extended
        REAL + "=",  # padded: ids are unpadded
        REAL[32:] + REAL[:32],  # rotated
        REAL[:32] + IDS.encode("Complaint", "12.71-0000043")[32:],  # spliced
        REAL.replace("-", "+").replace("_", "/"),  # not base64url
    ],
)
def test_a_garbage_or_forged_node_id_is_bad_user_input(node_id: str) -> None:
    with pytest.raises(BadUserInputError, match="not a valid node id") as raised:
        IDS.decode(node_id)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def test_every_bit_flip_of_a_node_id_is_refused() -> None:
    sealed = base64.urlsafe_b64decode(REAL)
    for bit in range(len(sealed) * 8):
        flipped = bytearray(sealed)
        flipped[bit // 8] ^= 1 << (bit % 8)
        node_id = base64.urlsafe_b64encode(bytes(flipped)).decode().rstrip("=")
        with pytest.raises(BadUserInputError, match="not a valid node id"):
            IDS.decode(node_id)


def test_a_non_canonical_spelling_of_a_real_id_is_refused() -> None:
    # 80 sealed bytes: the last of 107 characters carries two unused bits. Setting them spells
    # the same bytes; only the canonical spelling is the id.
    node_id = IDS.encode("Agency", "12.71-DINAS-KESEHATAN-KOTA-MEDAN")
    assert len(node_id) == 107
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(node_id[-1])
    for spare in (1, 2, 3):
        other = node_id[:-1] + alphabet[last ^ spare]
        assert base64.urlsafe_b64decode(other + "=") == base64.urlsafe_b64decode(node_id + "=")
        with pytest.raises(BadUserInputError, match="not a valid node id"):
            IDS.decode(other)


@pytest.mark.parametrize(
    ("local_id", "region"),
    [
        ("12.71-0000001", "12.71"),
        ("12-0000001", "12"),
        ("12.71-DINKES", "12.71"),
        ("KL-0000001", NATIONAL),
        ("KL-KEMENKES", NATIONAL),
        ("BUMN-PLN", NATIONAL),
        ("zz-1", None),
        ("1-0000001", None),  # a bare prefix of 12 is no region
        ("12.7-0000001", None),
        ("99.99-0000001", None),
        ("NATIONAL-1", None),
        ("kl-1", None),
        ("", None),
    ],
)
def test_home_region(local_id: str, region: str | None) -> None:
    assert home_region(local_id, REGIONS) == region


def test_a_cursor_with_a_time_zone_is_refused() -> None:
    # Times are naive UTC everywhere; an offset would be dropped by one database and refused
    # by another, so it never reaches a source. Sealed with the key: only the time is wrong.
    with_zone = sealed([1, "SUBMITTED_AT_DESC", "2023-01-01T00:00:00+07:00", "x"])
    with pytest.raises(BadUserInputError, match="not a cursor from this API"):
        read_cursor(with_zone)
