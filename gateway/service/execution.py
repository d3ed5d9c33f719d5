"""A fast path for the contract's flat record types in GraphQL execution.

graphql-core executes every field of every object through its general machinery (resolve
info, resolver, completion), a few microseconds each: for a page of 100 complaints that is
most of the service's time, far more than the SQL. The record types of the contract are flat
by design (scalar fields read straight off a frozen record, no arguments), so for them this
execution context builds each object in one step: attribute, then the scalar's own
`serialize`, exactly what the general path would produce. Any other type, and any selection
this plan does not know, takes the general path.
"""

from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_nullable_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Serializer = Callable[[Any], Any]
Plan = dict[str, tuple[str, Serializer]]


def flat_plan(schema: GraphQLSchema, type_name: str, python_names: dict[str, str]) -> Plan:
    """GraphQL field name → (record attribute, scalar serializer) for a flat object type."""
    object_type = schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    plan: Plan = {}
    for name, field in object_type.fields.items():
        scalar = get_nullable_type(field.type)
        if field.args or not isinstance(scalar, GraphQLScalarType):
            raise ValueError(f"{type_name}.{name} is not a flat scalar field")
        if isinstance(field.type, GraphQLNonNull):
            plan[name] = (python_names[name], _non_null(scalar.serialize, type_name, name))
        else:
            plan[name] = (python_names[name], _nullable(scalar.serialize))
    return plan


def _nullable(serialize: Serializer) -> Serializer:
    return lambda value: None if value is None else serialize(value)


def _non_null(serialize: Serializer, type_name: str, name: str) -> Serializer:
    def check(value: Any) -> Any:
        if value is None:
            raise TypeError(f"Cannot return null for non-nullable field {type_name}.{name}.")
        return serialize(value)

    return check


def flat_records_execution(
    plans: dict[str, Plan],
) -> type[StrawberryGraphQLCoreExecutionContext]:
    """An execution context class that builds objects of the planned types directly."""

    class FlatRecordsExecution(StrawberryGraphQLCoreExecutionContext):
        def execute_fields(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Any,
            grouped_field_set: Any,
            *rest: Any,
        ) -> Any:
            plan = plans.get(parent_type.name)
            if plan is not None:
                built = _build(plan, source_value, grouped_field_set.items())
                if built is not None:
                    return built
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, *rest)

    return FlatRecordsExecution


def _build(plan: Plan, record: Any, fields: Iterable[tuple[str, Any]]) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for response_name, details in fields:
        first = details[0]
        node = getattr(first, "node", first)  # FieldDetails (3.3) or FieldNode (3.2)
        step = plan.get(node.name.value)
        if step is None:  # __typename or anything unplanned: the general path
            return None
        attribute, serialize = step
        result[response_name] = serialize(getattr(record, attribute))
    return result
