"""Projection: the complaint columns a selection needs (`gateway.fields`), so sources select
only those."""

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from gateway.fields import FIELDS
from gateway.policy import can_read_field
from gateway.principal import Principal


def included(selection: Selection) -> bool:
    """Whether `@skip`/`@include` (their `if` already resolved from the variables) keep it."""
    directives = selection.directives
    return not directives.get("skip", {}).get("if", False) and directives.get("include", {}).get(
        "if", True
    )


def field_names(selections: Iterable[Selection]) -> set[str]:
    """Names of the fields selected at this level, through fragments of any depth (what
    `@skip`/`@include` leave out is not selected)."""
    names: set[str] = set()
    for selection in selections:
        if not included(selection):
            continue
        if isinstance(selection, SelectedField):
            names.add(selection.name)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            names |= field_names(selection.selections)
    return names


def children(selections: Iterable[Selection], name: str) -> list[Selection]:
    """The selections under every occurrence of field `name` (aliases and fragments merged;
    what `@skip`/`@include` leave out is not there)."""
    found: list[Selection] = []
    for selection in selections:
        if not included(selection):
            continue
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found += selection.selections
        elif isinstance(selection, FragmentSpread | InlineFragment):
            found += children(selection.selections, name)
    return found


def complaint_columns(selections: Iterable[Selection], principal: Principal) -> frozenset[str]:
    """The columns of the selected fields this caller may read: a withheld field's columns
    are not even fetched."""
    return frozenset(
        column
        for name in field_names(selections)
        if name in FIELDS and can_read_field(principal, name)
        for column in FIELDS[name].columns
    )
