"""Static analysis of a GraphQL document: depth, aliases, directives, root fields, fragment
expansions and cost, in one pass linear in the document's size.

Fragments are measured once each (memoised by fragment, the page size above them and the depth
left), and a spread adds its fragment's measures: an exponential fragment bomb (each fragment
spreading the next twice) costs one evaluation per fragment here, and its expansion count,
which this computes exactly, is refused. Recursion is bounded by the depth limit and by the
number of fragments on the current path, so no document can exhaust the interpreter's stack.

The cost is the number of field resolutions the document can ask for: each field costs 1,
times the sizes of the lists above it (`ListSizes`; `complaintStats` buckets count their
estimate from the literal `groupBy` and `filter`, see `gateway.graph.stats_cost`). Introspection
counts like any other field: a name (`__schema`, an operation called `IntrospectionQuery`)
bypasses nothing.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from gateway.admission.limits import ListSizes

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
OVER = 1 << 62
"""Stands for "beyond any limit" when the analysis stops descending."""


@dataclass(frozen=True, slots=True)
class Measures:
    """What one operation asks for, with its fragments expanded."""

    depth: int = 0
    """Deepest field level outside introspection (a root field is level 1)."""
    introspection_depth: int = 0
    """Deepest field level under `__schema` or `__type`."""
    aliases: int = 0
    directives: int = 0
    root_fields: int = 0
    spreads: int = 0
    """Fragment spreads once every fragment is expanded where it is spread."""
    cost: int = 0

    def __add__(self, other: "Measures") -> "Measures":
        """Two selections side by side: counts add up, depths take the deeper."""
        return Measures(
            depth=max(self.depth, other.depth),
            introspection_depth=max(self.introspection_depth, other.introspection_depth),
            aliases=self.aliases + other.aliases,
            directives=self.directives + other.directives,
            root_fields=self.root_fields + other.root_fields,
            spreads=self.spreads + other.spreads,
            cost=self.cost + other.cost,
        )


NOTHING = Measures()


class Analysis:
    """Measures of the operations of one document against one schema."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        sizes: ListSizes,
        max_levels: int,
        max_spread_path: int,
    ) -> None:
        self.schema = schema
        self.sizes = sizes
        self.max_levels = max_levels
        self.max_spread_path = max_spread_path
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.operations = [
            definition
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        self._memo: dict[tuple[str, int | None, int], Measures] = {}
        self._path: list[str] = []

    def measure(self, operation: OperationDefinitionNode) -> Measures:
        root = self.schema.get_root_type(operation.operation)
        inner = self._selections(operation.selection_set, root, None, self.max_levels)
        return inner + Measures(directives=len(operation.directives or ()))

    def _selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        page: int | None,
        levels_left: int,
    ) -> Measures:
        total = NOTHING
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, page, levels_left)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self.schema.get_type(condition.name.value) if condition else parent
                total += self._selections(selection.selection_set, scope, page, levels_left)
                total += Measures(directives=len(selection.directives or ()))
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread(selection, page, levels_left)
        return total

    def _spread(self, spread: FragmentSpreadNode, page: int | None, levels_left: int) -> Measures:
        name = spread.name.value
        own = Measures(spreads=1, directives=len(spread.directives or ()))
        fragment = self.fragments.get(name)
        # Unknown fragments and cycles are left to validation (NoFragmentCycles and co.).
        if fragment is None or name in self._path:
            return own
        if len(self._path) >= self.max_spread_path:
            return own + Measures(spreads=OVER)
        key = (name, page, levels_left)
        if key not in self._memo:
            self._path.append(name)
            try:
                scope = self.schema.get_type(fragment.type_condition.name.value)
                body = self._selections(fragment.selection_set, scope, page, levels_left)
                self._memo[key] = body + Measures(directives=len(fragment.directives or ()))
            finally:
                self._path.pop()
        return own + self._memo[key]

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None, levels_left: int
    ) -> Measures:
        name = node.name.value
        definition = self._definition(parent, name)
        own = Measures(
            depth=1,
            aliases=1 if node.alias else 0,
            directives=len(node.directives or ()),
            root_fields=1,
            cost=1,
        )
        if node.selection_set is None:
            return own
        if levels_left <= 1:
            # Deeper than any limit: stop here rather than walk an arbitrarily deep document.
            return Measures(depth=OVER, introspection_depth=OVER, cost=OVER)
        coordinate = f"{parent.name}.{name}" if parent is not None else name
        child_type = get_named_type(definition.type) if definition else None
        child_page = self._page(coordinate, node, definition)
        size = self._size(coordinate, definition, page, child_page)
        inner = self._selections(node.selection_set, child_type, child_page, levels_left - 1)
        if name in INTROSPECTION_ROOTS:
            deepest = 1 + max(inner.depth, inner.introspection_depth)
            depths = {"depth": 1, "introspection_depth": deepest}
        else:
            depths = {
                "depth": 1 + inner.depth,
                "introspection_depth": 1 + inner.introspection_depth
                if inner.introspection_depth
                else 0,
            }
        return Measures(
            **depths,
            aliases=own.aliases + inner.aliases,
            directives=own.directives + inner.directives,
            root_fields=1,
            spreads=inner.spreads,
            cost=1 + size * inner.cost,
        )

    def _definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if name == "__schema" and parent is self.schema.query_type:
            return SchemaMetaFieldDef
        if name == "__type" and parent is self.schema.query_type:
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def _page(
        self, coordinate: str, node: FieldNode, definition: GraphQLField | None
    ) -> int | None:
        """The page a `first` argument asks for, clamped to what the field accepts; or the
        size a `by_arguments` field gives the list below it."""
        sized_by_arguments = self.sizes.by_arguments.get(coordinate)
        if sized_by_arguments is not None:
            return sized_by_arguments(node)
        largest = self.sizes.paged.get(coordinate)
        if largest is None:
            return None
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if argument is None:
            default = definition.args["first"].default_value if definition else None
            return min(default, largest) if isinstance(default, int) else largest
        if isinstance(argument.value, IntValueNode):
            # Out-of-range pages are refused by the resolver; here they count as the largest.
            return min(max(int(argument.value.value), 0), largest)
        if isinstance(argument.value, VariableNode):
            return largest
        return largest

    def _size(
        self,
        coordinate: str,
        definition: GraphQLField | None,
        page: int | None,
        own_page: int | None,
    ) -> int:
        if definition is None or not is_list_type(get_nullable_type(definition.type)):
            return 1
        if coordinate in self.sizes.known:
            return self.sizes.known[coordinate]
        if own_page is not None:
            return own_page
        if coordinate in self.sizes.pages_of_parent and page is not None:
            return page
        return self.sizes.default


def analyse(
    schema: GraphQLSchema,
    document: DocumentNode,
    sizes: ListSizes,
    max_levels: int,
    max_spread_path: int,
) -> Iterator[tuple[OperationDefinitionNode, Measures]]:
    """Each operation of the document with its measures."""
    analysis = Analysis(schema, document, sizes, max_levels, max_spread_path)
    for operation in analysis.operations:
        yield operation, analysis.measure(operation)


def introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """Sizes of the introspection lists of this schema.

    `__Schema.types` and `__Schema.directives` are exact. The per-type lists count their mean
    over the types that have them, rounded up: a walk over every type then costs what it
    resolves (types x mean fields = all fields), where the maximum would count the largest type
    once per type and price GraphiQL's own introspection query out of any sane budget. A single
    `__type` may cost more than estimated, but introspection is the schema in memory, and
    recursing through it multiplies by these means at every level, which the budget still stops.
    """
    named = list(schema.type_map.values())
    composite = [t for t in named if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    inputs = [t for t in named if isinstance(t, GraphQLInputObjectType)]
    enums = [t for t in named if isinstance(t, GraphQLEnumType)]
    interfaces = [t for t in named if isinstance(t, GraphQLInterfaceType)]
    fields = [f for t in composite for f in t.fields.values()]

    def mean(counts: list[int]) -> int:
        return max(1, -(-sum(counts) // len(counts))) if counts else 1

    return {
        "__Schema.types": len(named),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": mean([len(t.fields) for t in composite]),
        "__Type.interfaces": mean([len(t.interfaces) for t in composite]),
        "__Type.possibleTypes": mean([len(schema.get_possible_types(t)) for t in interfaces]),
        "__Type.enumValues": mean([len(t.values) for t in enums]),
        "__Type.inputFields": mean([len(t.fields) for t in inputs]),
        "__Field.args": mean([len(f.args) for f in fields]),
        "__Directive.args": mean([len(d.args) for d in schema.directives]),
    }


def deepest_path(schema: GraphQLSchema) -> list[str]:
    """The longest chain of fields from the query root on which no field repeats: the deepest
    document a client can need (a longer one can only walk a cycle such as Region.parent and
    Region.children again). Introspection is not counted."""
    best: list[str] = []

    def walk(parent: GraphQLNamedType, path: list[str]) -> None:
        nonlocal best
        if len(path) > len(best):
            best = list(path)
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        for name, definition in parent.fields.items():
            coordinate = f"{parent.name}.{name}"
            if coordinate in path:
                continue
            child = get_named_type(definition.type)
            path.append(coordinate)
            if is_leaf_type(child):
                if len(path) > len(best):
                    best = list(path)
            else:
                walk(child, path)
            path.pop()

    query = schema.query_type
    if query is not None:
        walk(query, [])
    return best
