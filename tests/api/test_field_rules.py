"""Every complaint field, filter and grouping is declared once (`gateway.fields`), and one not
declared is readable or usable by nobody: the whole `Complaint` type, walked from the schema,
asked as every kind of caller."""

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_non_null_type,
)

from gateway.domain import PrincipalTier
from gateway.errors import AuthorizationError
from gateway.fields import FIELDS, FIELDS_READ_BY_DIMENSION, FIELDS_READ_BY_FILTER, FieldRule
from gateway.graph import build_schema
from gateway.policy import can_read_field, check_aggregate_query, check_row_filters
from gateway.principal import Principal
from gateway.sources.records import COMPLAINT_FIELDS as COMPLAINT_COLUMNS
from resolvers.assemble import PLAIN_FIELDS
from tests.conftest import GraphQL

CALLERS: dict[str, dict[str, Any]] = {
    "public": {"tier": "PUBLIC"},
    "regency analyst": {"tier": "REGENCY", "region": "12.71", "role": "ANALYST"},
    "provincial analyst": {"tier": "PROVINCIAL", "region": "12", "role": "ANALYST"},
    "national analyst": {"tier": "NATIONAL", "role": "ANALYST"},
    "handling operator": {
        "tier": "REGENCY", "region": "12.71", "role": "OPERATOR", "agency": "12.71-DINKES",
    },
    "other operator": {
        "tier": "REGENCY", "region": "12.71", "role": "OPERATOR", "agency": "12.71-DISDIK",
    },
    "ombudsman": {"tier": "OMBUDSMAN", "role": "ANALYST"},
}  # fmt: skip


def complaint_type() -> GraphQLObjectType:
    schema: GraphQLSchema = build_schema()._schema
    complaint = schema.type_map["Complaint"]
    assert isinstance(complaint, GraphQLObjectType)
    return complaint


AUDITED = {"reporter"}
"""Every read of these is written to the shared access log, and tests elsewhere count those
entries: walked here only for callers who may not read them at all (their per-complaint rule
is tested in test_authorization)."""


def every_field(who: Principal) -> str:
    """A selection of every Complaint field (objects by one of their own fields)."""
    parts = []
    for name, field in complaint_type().fields.items():
        if name in AUDITED and can_read_field(who, name):
            continue
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType):
            parts.append(f"{name} {{ __typename }}")
        else:
            parts.append(name)
    return " ".join(parts)


def principal(caller: dict[str, Any]) -> Principal:
    tier = PrincipalTier(caller["tier"])
    return Principal(tier=tier, subject="t", region=caller.get("region"))


def test_every_field_of_the_schema_has_one_rule_and_every_rule_a_field() -> None:
    assert set(complaint_type().fields) == set(FIELDS)


def test_every_field_is_an_attribute_that_masking_covers() -> None:
    """Masking nulls the attributes the caller may not read: a field with a resolver of its
    own would escape it, so none may be added without a rule of its own here."""
    assert set(PLAIN_FIELDS) == set(complaint_type().fields)


def test_non_null_fields_are_readable_by_everyone() -> None:
    """Masking writes null: a field the schema promises is never null must be public."""
    for name, field in complaint_type().fields.items():
        if is_non_null_type(field.type):
            assert FIELDS[name].rule is FieldRule.EVERYONE, name


@pytest.mark.parametrize("caller", list(CALLERS.values()), ids=list(CALLERS))
def test_a_field_without_a_rule_is_readable_by_nobody(caller: dict[str, Any]) -> None:
    assert not can_read_field(principal(caller), "someFieldAddedLater")


def nodes_as(gql: GraphQL, caller: dict[str, Any]) -> dict[str, dict[str, Any]]:
    selection = every_field(principal(caller))
    query = f"{{ complaints(first: 100) {{ edges {{ node {{ {selection} }} }} }} }}"
    body = gql(query, **caller)
    assert "errors" not in body, body
    return {edge["node"]["id"]: edge["node"] for edge in body["data"]["complaints"]["edges"]}


@pytest.mark.parametrize("caller", list(CALLERS), ids=list(CALLERS))
def test_every_field_as_every_caller_follows_the_rules(gql: GraphQL, caller: str) -> None:
    """Withheld fields are null on every row; fields readable whatever the row hold what the
    national administrator sees (body and reporter depend on the row: tested on their own)."""
    seen = nodes_as(gql, CALLERS[caller])
    everything = nodes_as(gql, {"tier": "NATIONAL", "role": "ADMIN"})
    assert seen
    assert set(seen) <= set(everything)
    who = principal(CALLERS[caller])
    for name, declared in FIELDS.items():
        rule = declared.rule
        if name in AUDITED and can_read_field(who, name):
            continue
        values = [node[name] for node in seen.values()]
        if not can_read_field(who, name):
            assert values == [None] * len(seen), (caller, name)
        elif rule in {FieldRule.EVERYONE, FieldRule.OFFICIALS}:
            assert values == [everything[id_][name] for id_ in seen], (caller, name)


def test_a_rule_taken_away_withholds_the_field_from_everyone(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if `trackingId` had been added to the schema without a rule."""
    query = "{ complaints(first: 20) { edges { node { id trackingId incidentDate } } } }"
    before = gql(query, **CALLERS["national analyst"])["data"]["complaints"]["edges"]
    assert all(edge["node"]["trackingId"] for edge in before)
    monkeypatch.delitem(FIELDS, "trackingId")
    for caller in CALLERS.values():
        edges = gql(query, **caller)["data"]["complaints"]["edges"]
        assert edges
        assert all(edge["node"]["trackingId"] is None for edge in edges), caller
    after = gql(query, **CALLERS["national analyst"])["data"]["complaints"]["edges"]
    assert any(edge["node"]["incidentDate"] for edge in after)


def test_every_filter_and_grouping_reads_declared_fields_and_every_column_exists() -> None:
    schema = build_schema()._schema
    filter_input = schema.type_map["ComplaintFilter"]
    dimension_enum = schema.type_map["StatsDimension"]
    assert isinstance(filter_input, GraphQLInputObjectType)
    assert isinstance(dimension_enum, GraphQLEnumType)
    assert set(filter_input.fields) == set(FIELDS_READ_BY_FILTER)
    assert set(dimension_enum.values) == set(FIELDS_READ_BY_DIMENSION)
    for declared in FIELDS.values():
        assert set(declared.columns) <= COMPLAINT_COLUMNS, declared.name


@pytest.mark.parametrize("caller", list(CALLERS.values()), ids=list(CALLERS))
def test_a_filter_or_grouping_not_declared_is_refused_to_everyone(caller: dict[str, Any]) -> None:
    who = principal(caller)
    with pytest.raises(AuthorizationError):
        check_row_filters(who, ["someFilterAddedLater"])
    with pytest.raises(AuthorizationError):
        check_aggregate_query(who, [], ["SOME_DIMENSION_ADDED_LATER"], None)
    check_row_filters(who, ["status"])  # a declared, public one passes
