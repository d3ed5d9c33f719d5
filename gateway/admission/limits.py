"""The bounds a GraphQL document must stay within, and the stable codes of their refusals.

Every bound is on by default, and these are the defaults (`GatewaySettings` takes its own from
`QueryLimits()`; the README's "HTTP surface and limits" says why each is what it is). They are
checked once per distinct document, before validation and before any source is called; a
refusal is a GraphQL error whose `extensions.code` names the bound.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import FieldNode, GraphQLError

TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_LONG = "QUERY_TOO_LONG"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_ROOT_FIELDS = "TOO_MANY_ROOT_FIELDS"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
TOO_MANY_FRAGMENTS = "TOO_MANY_FRAGMENT_SPREADS"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

DEPTH_LIMIT = 10
"""The deepest legitimate data query is 9 levels (`complaints > edges > node > dispositions >
fromAgency > region > parent > children > code`, measured by `deepest_path` in
`gateway.admission.complexity`; no field repeats on it); one level of slack, and no more: deeper
documents can only re-walk `Region.parent/children` cycles."""

INTROSPECTION_DEPTH_LIMIT = 15
"""GraphiQL's introspection query nests `ofType` nine times below `__schema > types > fields >
args > type`: 15 levels. It applies under `__schema`/`__type` only, where introspection is on
at all (demo/dev); everything else there stays bounded by the other limits."""


@dataclass(frozen=True, slots=True)
class ListSizes:
    """How many items the static cost assumes a list field returns.

    `first` arguments give the size of the page they ask for (`paged`: the field whose own
    `first` sizes it; `pages_of_parent`: the list sized by the field above it), clamped to the
    field's maximum (a variable counts as that maximum). A field in `by_arguments` sizes the
    `pages_of_parent` list below it from its literal arguments (`complaintStats` its buckets,
    by the bucket estimate). Known sizes come from the schema, the region table and the
    registry; any other list counts as `default`.
    """

    default: int = 20
    known: dict[str, int] = field(default_factory=dict)
    paged: dict[str, int] = field(default_factory=dict)
    """`Type.field` with a `first` argument -> its largest accepted `first`."""
    pages_of_parent: frozenset[str] = frozenset()
    """`Type.field` lists whose size is set by the field above them (its `first`, or its
    `by_arguments` size)."""
    by_arguments: dict[str, Callable[[FieldNode], int]] = field(default_factory=dict)
    """`Type.field` -> the size of the list below it, from the field's literal arguments."""


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """Document bounds; a frozen value so a schema and its caches share one immutable copy."""

    max_query_length: int = 32 * 1024
    max_tokens: int = 2000
    max_depth: int = DEPTH_LIMIT
    max_introspection_depth: int = INTROSPECTION_DEPTH_LIMIT
    max_aliases: int = 15
    max_root_fields: int = 10
    max_directives: int = 20
    max_fragment_spreads: int = 50
    max_cost: int = 50_000
    introspection: bool = True
    suggestions: bool = True
    sizes: ListSizes = field(default_factory=ListSizes)


def limit_error(code: str, message: str, **extensions: object) -> GraphQLError:
    """A refusal of the document as a whole (no location: the whole document is at fault)."""
    return GraphQLError(message, extensions={"code": code, **extensions})
