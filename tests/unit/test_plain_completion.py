"""Lists of plain objects complete straight from their attributes (gateway/graph/plain.py) with
graphql-core's data, errors and paths, whatever the selection: the oracle is stock strawberry
executing the same document, and a counter shows which selections took the plain path."""

import json
from enum import Enum
from typing import Any

import pytest
import strawberry
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.permission import BasePermission

import gateway.graph.execution
from gateway.graph.execution import SlicedExecutionContext
from gateway.graph.plain import Complete, plain_completion


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    GREEN = "GREEN"


@strawberry.type
class Inner:
    code: str
    size: int | None = None
    colour: Colour | None = None


class Nobody(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Row:
    index: int
    label: str | None
    strict: str
    ratio: float | None
    colour: Colour
    inner: Inner
    maybe_inner: Inner | None
    secret: str = strawberry.field(permission_classes=[Nobody], default="hidden")
    parts: list[Inner] = strawberry.field(default_factory=list)
    tags: list[str | None] | None = None
    broken: Inner | Exception | None = strawberry.field(default=None, graphql_type=Inner | None)
    """An error as a relation's value: graphql-core raises it at the field's path."""

    @strawberry.field
    def computed(self) -> int:
        return self.index * 2


def rows() -> list[Row | None]:
    made: list[Row | None] = []
    for i in range(40):
        made.append(
            Row(
                index=i,
                label=None if i % 3 == 0 else f"row {i}",
                # The schema says non-null: a None here is an error at its path.
                strict=None if i == 17 else f"s{i}",  # type: ignore[arg-type]
                ratio=i / 7,
                colour=Colour.RED if i % 2 else Colour.GREEN,
                inner=Inner(code=f"c{i}", size=None if i % 5 == 0 else i, colour=Colour.RED),
                maybe_inner=None if i % 4 == 0 else Inner(code=f"m{i}"),
                parts=[Inner(code=f"p{i}-{n}", size=n) for n in range(i % 3)],
                tags=None if i % 6 == 0 else [f"t{i}", None],
                broken=ValueError(f"source down for {i}") if i % 8 == 5 else Inner(code=f"b{i}"),
            )
        )
    made[9] = None  # a null item in a list of nullable items
    made[23] = "not a row"  # type: ignore[call-overload]
    return made


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:
        return rows()

    @strawberry.field
    def strict_rows(self) -> list[Row]:
        return [row for row in rows() if isinstance(row, Row) and row.index != 17]


STOCK = strawberry.Schema(query=Query)
PLAIN = strawberry.Schema(query=Query, execution_context_class=SlicedExecutionContext)

PLAIN_FIELDS = ["index", "label", "ratio", "colour", "__typename", "tags"]
OBJECT_FIELDS = {
    "inner": ["code", "size", "colour", "__typename"],
    "maybeInner": ["code", "size"],
    "parts": ["code", "size", "__typename"],
    "broken": ["code", "colour"],
}
OTHER_FIELDS = ["strict", "computed", "secret"]
"""`strict` is plain but fails on one row; `computed` has a resolver; `secret` a permission."""


@pytest.fixture
def plain_items(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts items completed by the plain path."""
    counted = [0]

    def counting(*args: Any) -> Complete | None:
        complete = plain_completion(*args)
        if complete is None:
            return None

        def count(value: Any) -> Any:
            result = complete(value)
            counted[0] += 1
            return result

        return count

    monkeypatch.setattr(gateway.graph.execution, "plain_completion", counting)
    return counted


@st.composite
def selections(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for name in draw(st.lists(st.sampled_from(PLAIN_FIELDS + OTHER_FIELDS), max_size=6)):
        alias = draw(st.sampled_from(["", "a1: ", "a2: "]))
        directive = draw(st.sampled_from(["", " @include(if: $on)", " @skip(if: $on)"]))
        parts.append(f"{alias}{name}{directive}")
    for name, subfields in OBJECT_FIELDS.items():
        chosen = draw(st.lists(st.sampled_from(subfields), min_size=1, max_size=3))
        if draw(st.booleans()):
            parts.append(f"{name} {{ {' '.join(chosen)} }}")
    if draw(st.booleans()):
        parts.append("... on Row { index inner { code } }")
    if draw(st.booleans()):
        parts.append("...Bits")
    return " ".join(parts) or "index"


def outcome(result: Any) -> tuple[str, list[tuple[str, str]]]:
    """The data as JSON text (so field order counts, as it does on the wire) and the errors."""
    errors = sorted((str(error.path), error.message) for error in result.errors or ())
    return json.dumps(result.data), errors


@settings(max_examples=150, deadline=None)
@given(selection=selections(), root=st.sampled_from(["rows", "strictRows"]), on=st.booleans())
async def test_any_selection_completes_as_graphql_core_does(
    selection: str, root: str, on: bool
) -> None:
    document = (
        f"query Q($on: Boolean!) {{ {root} {{ {selection} }} }}\n"
        "fragment Bits on Row { label colour maybeInner { code } }"
    )
    variables = {"on": on}
    stock = await STOCK.execute(document, variable_values=variables)
    plain = await PLAIN.execute(document, variable_values=variables)
    assert outcome(plain) == outcome(stock)


async def test_plain_selections_take_the_plain_path(plain_items: list[int]) -> None:
    document = (
        "{ rows { index a: label colour __typename tags inner { code size colour } "
        "parts { code size } } }"
    )
    stock = await STOCK.execute(document)
    plain = await PLAIN.execute(document)
    assert outcome(plain) == outcome(stock)
    # Every item but the null one and the wrong-typed one (which graphql-core reports).
    assert plain_items[0] == 38
    assert [path for path, _ in outcome(plain)[1]] == ["['rows', 23, 'index']"]


@pytest.mark.parametrize("field", OTHER_FIELDS[1:])
async def test_a_resolved_or_guarded_field_keeps_its_resolver(
    plain_items: list[int], field: str
) -> None:
    stock = await STOCK.execute(f"{{ strictRows {{ index {field} }} }}")
    plain = await PLAIN.execute(f"{{ strictRows {{ index {field} }} }}")
    assert outcome(plain) == outcome(stock)
    assert plain_items[0] == 0
    if field == "secret":
        assert plain.data is None or all(row is None for row in plain.data["strictRows"] or [])
        assert plain.errors
        assert "not for you" in plain.errors[0].message


async def test_an_error_as_a_value_is_raised_at_its_path(plain_items: list[int]) -> None:
    document = "{ strictRows { index broken { code } } }"
    plain = await PLAIN.execute(document)
    assert outcome(plain) == outcome(await STOCK.execute(document))
    assert plain.data is not None
    errors = outcome(plain)[1]
    assert ("['strictRows', 5, 'broken']", "source down for 5") in errors
    assert plain.data["strictRows"][5]["broken"] is None
    assert plain.data["strictRows"][0]["broken"] == {"code": "b0"}
    assert plain_items[0] == len(plain.data["strictRows"]) - len(errors)


async def test_a_null_in_a_non_null_field_is_graphql_cores_error(plain_items: list[int]) -> None:
    plain = await PLAIN.execute("{ rows { index strict } }")
    assert outcome(plain) == outcome(await STOCK.execute("{ rows { index strict } }"))
    assert plain.data is not None
    assert plain.data["rows"][17] is None
    assert [str(error.path) for error in plain.errors or ()] == [
        "['rows', 17, 'strict']",
        "['rows', 23, 'index']",
    ]
    assert plain_items[0] == 37
