"""Completing plain objects without per-field resolution.

A *plain* selection asks an object type only for fields that strawberry resolves by reading an
attribute (no resolver, no arguments, no field extension such as a permission), each a scalar,
an enum, another plain selection or a list of those. graphql-core completes such a value field
by field (resolve info, resolver call, completion, error path: several microseconds a field),
which for the 1,360 buckets of a province by regency by month was about 60 ms of event loop a
request. `plain_completion` compiles a plain selection once per list into a function that
builds the same dict straight from the attributes, coercing leaves as graphql-core does.

Anything it does not expect (a null where the schema forbids one, an error as a field's value,
a leaf that does not coerce, a value of another class) raises `NotPlainError`, and the caller
completes that value the usual way, which reports the error exactly as before: reading
attributes has no side effects, so doing it twice is safe. Nothing here decides what a caller
may read: a field guarded by a resolver or a permission is not plain, and is resolved as always.
"""

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from strawberry.schema.schema_converter import GraphQLCoreConverter

Complete = Callable[[Any], Any]
Collect = Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields]

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


class NotPlainError(Exception):
    """This value needs graphql-core's own completion."""


def plain_completion(
    collect: Collect, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
) -> Complete | None:
    """A function completing one non-null value of `object_type` under these selections as
    graphql-core would, or None when the selection is not plain."""
    definition = object_type.extensions.get(_DEFINITION)
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type):
        return None
    grouped, defer_usages, _ = collect(object_type, field_details_list)
    if defer_usages:
        return None
    entries: list[tuple[str, str, Complete]] = []
    typename = object_type.name
    constants: dict[str, Any] = {}
    for response_key, details in grouped.items():
        field_name = details[0].node.name.value
        if field_name == "__typename":
            constants[response_key] = typename
            continue
        entry = _plain_field(collect, object_type, field_name, details)
        if entry is None:
            return None
        entries.append((response_key, *entry))
    order = list(grouped)

    def complete(value: Any) -> dict[str, Any]:
        if not isinstance(value, origin):
            raise NotPlainError
        try:
            fields = {key: finish(getattr(value, name)) for key, name, finish in entries}
        except Exception as error:  # graphql-core reports it, at the field's path
            raise NotPlainError from error
        if constants:
            fields.update(constants)
            return {key: fields[key] for key in order}
        return fields

    return complete


def _plain_field(
    collect: Collect, object_type: GraphQLObjectType, field_name: str, details: FieldDetailsList
) -> tuple[str, Complete] | None:
    field = object_type.fields.get(field_name)
    if field is None or field.args:
        return None
    definition = field.extensions.get(_DEFINITION)
    # Both: strawberry marks a field `_is_default` when it has no resolver even if an
    # extension (a permission) guards it; `is_basic_field` is false for those.
    basic = getattr(definition, "is_basic_field", False) is True
    if not basic or not getattr(field.resolve, "_is_default", False):
        return None
    python_name = getattr(definition, "python_name", None)
    if not isinstance(python_name, str):
        return None
    finish = _value_completion(collect, field.type, details)
    return None if finish is None else (python_name, finish)


def _value_completion(
    collect: Collect, output_type: GraphQLOutputType, details: FieldDetailsList
) -> Complete | None:
    nullable = not is_non_null_type(output_type)
    inner = output_type if nullable else output_type.of_type  # type: ignore[union-attr]
    finish: Complete | None
    if is_leaf_type(inner):
        finish = _leaf(inner)
    elif is_object_type(inner):
        finish = plain_completion(collect, inner, details)
    elif is_list_type(inner):
        finish = _list(_value_completion(collect, inner.of_type, details))
    else:
        finish = None
    if finish is None:
        return None

    def complete(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise NotPlainError
        if isinstance(value, Exception):  # graphql-core raises it at the field's path
            raise NotPlainError
        return finish(value)

    return complete


def _list(item: Complete | None) -> Complete | None:
    if item is None:
        return None

    def complete(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise NotPlainError
        return [item(element) for element in value]

    return complete


def _leaf(leaf_type: GraphQLLeafType) -> Complete:
    coerce = leaf_type.coerce_output_value

    def complete(value: Any) -> Any:
        try:
            coerced = coerce(value)
        except Exception as error:  # graphql-core reports it, at the field's path
            raise NotPlainError from error
        if coerced is None or coerced is Undefined:
            raise NotPlainError
        return coerced

    return complete


def item_object_type(item_type: GraphQLOutputType) -> GraphQLObjectType | None:
    """The object type of a list's non-null or nullable items, if they are objects."""
    inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    return inner if is_object_type(inner) else None
