"""Opaque keyset cursors, global node ids, and the home region encoded in local ids."""

import base64
from datetime import datetime

import orjson
import pytest

from gateway.errors import BadUserInputError
from gateway.regions import NATIONAL, load_regions
from gateway.sources.base import Keyset, SortOrder
from resolvers.cursors import decode_cursor, encode_cursor
from resolvers.ids import decode_node_id, encode_node_id, home_region

REGIONS = load_regions()
KEYSET = Keyset(datetime(2024, 3, 5, 8, 30, 15, 123456), "12.71-0000042")


def raw(payload: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


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
    assert decode_cursor(encode_cursor(order, keyset), order) == keyset


def test_cursor_is_opaque_url_safe_and_unpadded() -> None:
    cursor = encode_cursor(SortOrder.SUBMITTED_AT_DESC, KEYSET)
    assert KEYSET.id not in cursor
    assert "=" not in cursor
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_cursor_is_stable() -> None:
    first = encode_cursor(SortOrder.SUBMITTED_AT_ASC, KEYSET)
    assert encode_cursor(SortOrder.SUBMITTED_AT_ASC, KEYSET) == first


def test_cursors_of_different_orders_differ() -> None:
    assert encode_cursor(SortOrder.SUBMITTED_AT_ASC, KEYSET) != encode_cursor(
        SortOrder.SUBMITTED_AT_DESC, KEYSET
    )


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (SortOrder.SUBMITTED_AT_DESC, SortOrder.SUBMITTED_AT_ASC),
        (SortOrder.SUBMITTED_AT_ASC, SortOrder.SUBMITTED_AT_DESC),
    ],
)
def test_a_cursor_of_another_order_is_bad_user_input(written: SortOrder, read: SortOrder) -> None:
    cursor = encode_cursor(written, KEYSET)
    with pytest.raises(BadUserInputError, match="different ordering") as raised:
        decode_cursor(cursor, read)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def test_a_cursor_of_another_version_is_bad_user_input() -> None:
    cursor = raw([2, "SUBMITTED_AT_DESC", KEYSET.submitted_at.isoformat(), KEYSET.id])
    with pytest.raises(BadUserInputError, match="different ordering"):
        decode_cursor(cursor, SortOrder.SUBMITTED_AT_DESC)


def test_a_handmade_cursor_of_the_current_shape_is_accepted() -> None:
    cursor = raw([1, "SUBMITTED_AT_DESC", "2024-03-05T08:30:15.123456", "12.71-0000042"])
    assert decode_cursor(cursor, SortOrder.SUBMITTED_AT_DESC) == KEYSET


def tampered() -> str:
    cursor = encode_cursor(SortOrder.SUBMITTED_AT_DESC, KEYSET)
    return cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage!",
        "a",  # one more than a multiple of four: not base64 at all
        "é",  # not ASCII
        tampered(),
        encode_cursor(SortOrder.SUBMITTED_AT_DESC, KEYSET)[:-4],  # truncated
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),  # not JSON
        raw("not a list"),
        raw(42),
        raw(None),
        raw({"version": 1}),
        raw([1, "SUBMITTED_AT_DESC", "2024-03-05T08:30:15"]),  # too short
        raw([1, "SUBMITTED_AT_DESC", "2024-03-05T08:30:15", "x", "y"]),  # too long
        raw([1, "SUBMITTED_AT_DESC", "yesterday", "12.71-1"]),
        raw([1, "SUBMITTED_AT_DESC", 1_700_000_000, "12.71-1"]),
        raw([1, "SUBMITTED_AT_DESC", None, "12.71-1"]),
    ],
)
def test_a_garbage_or_tampered_cursor_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInputError) as raised:
        decode_cursor(cursor, SortOrder.SUBMITTED_AT_DESC)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


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
    node_id = encode_node_id(type_name, local_id)
    assert "=" not in node_id
    assert decode_node_id(node_id) == (type_name, local_id)


def test_node_ids_of_different_types_differ() -> None:
    assert encode_node_id("Complaint", "12-1") != encode_node_id("Agency", "12-1")


@pytest.mark.parametrize(
    "node_id",
    [
        "",
        "a",  # one more than a multiple of four
        "!!!!",
        "é",
        base64.urlsafe_b64encode(b"\xff\xfe:x").decode(),  # not UTF-8
        base64.urlsafe_b64encode(b"Complaint").decode(),  # no separator
        base64.urlsafe_b64encode(b"Complaint:").decode(),  # no local id
        base64.urlsafe_b64encode(b":12.71-1").decode(),  # no type
    ],
)
def test_a_garbage_node_id_is_bad_user_input(node_id: str) -> None:
    with pytest.raises(BadUserInputError, match="not a valid node id") as raised:
        decode_node_id(node_id)
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


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
    # by another, so it never reaches a source.
    payload = orjson.dumps([1, "SUBMITTED_AT_DESC", "2023-01-01T00:00:00+07:00", "x"])
    forged = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    with pytest.raises(BadUserInputError):
        decode_cursor(forged, SortOrder.SUBMITTED_AT_DESC)
