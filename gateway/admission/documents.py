"""Parse, limits and validation, once per distinct document.

`DocumentCache.prepare(query)` returns the parsed document with its errors: a syntax error,
the first limit it breaks (`gateway.admission.limits`), or the validation errors. Valid documents
are kept in an LRU keyed by the query text, so a hot document costs one dictionary lookup; refused
ones go to a small LRU of their own, so a flood of distinct bad documents cannot evict the good
ones (each is bounded by the token limit, so preparing it is cheap anyway).

Outside demo/dev mode, introspection is refused and errors carry no "Did you mean" suggestions,
and no name the client did not write itself: a typo'd query reveals nothing of the schema.
"""

import re
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationRule,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.admission import limits as codes
from gateway.admission.complexity import INTROSPECTION_ROOTS, Measures, analyse
from gateway.admission.limits import QueryLimits, limit_error

MAX_VALIDATION_ERRORS = 20
"""Enough to fix a document by; more would only make a bad document's answer larger."""
_QUOTED = re.compile(r"(['\"])([_A-Za-z][_0-9A-Za-z]*)\1")


class NoIntrospection(ValidationRule):
    """Refuses `__schema` and `__type` wherever they are (fragments, aliases included)."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in INTROSPECTION_ROOTS:
            self.report_error(
                GraphQLError(
                    "introspection is disabled",
                    node,
                    extensions={"code": codes.INTROSPECTION_DISABLED},
                )
            )


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document as checked: `errors` is empty when it may be executed."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    cost: int = 0
    measures: dict[str, Measures] = field(default_factory=dict)
    plans: dict[Hashable, Any] = field(default_factory=dict, compare=False)
    """The plans of its root fields, built as they first run (`resolvers/plans.py`): kept with
    the document, and evicted with it."""

    @property
    def valid(self) -> bool:
        return not self.errors

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation to run (None: no such name, or several without a name given)."""
        return None if self.document is None else get_operation_ast(self.document, name)


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, PreparedDocument] = OrderedDict()

    def get(self, key: str) -> PreparedDocument | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: str, value: PreparedDocument) -> None:
        self.entries[key] = value
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)


class DocumentCache:
    """Prepared documents of one schema under one set of limits."""

    def __init__(self, size: int = 512, rejected_size: int = 64) -> None:
        self.limits = QueryLimits()
        self.schema: GraphQLSchema | None = None
        self.rules: tuple[type[ASTValidationRule], ...] = ()
        self._valid = _Lru(size)
        self._rejected = _Lru(rejected_size)

    def bind(self, schema: GraphQLSchema, limits: QueryLimits) -> None:
        """The schema is built after its extensions are declared (and its list sizes come from
        it): both are bound here, once, before the first request."""
        self.schema = schema
        self.limits = limits
        rules: list[type[ASTValidationRule]] = [
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        ]
        if not limits.introspection:
            rules.append(NoIntrospection)
        self.rules = tuple(rules)
        self._valid.entries.clear()
        self._rejected.entries.clear()

    def prepare(self, query: str) -> PreparedDocument:
        found = self._valid.get(query) or self._rejected.get(query)
        if found is not None:
            return found
        prepared = self._prepare(query)
        (self._valid if prepared.valid else self._rejected).put(query, prepared)
        return prepared

    def _prepare(self, query: str) -> PreparedDocument:
        assert self.schema is not None, "DocumentCache.bind(schema) first"
        limits = self.limits
        if len(query) > limits.max_query_length:
            return _refused(
                codes.QUERY_TOO_LONG,
                f"the query is longer than {limits.max_query_length} characters",
            )
        try:
            # Comments are bounded like tokens: otherwise they would be a free way to make
            # the lexer work.
            document = parse(
                query, max_lexical_tokens=limits.max_tokens, max_comments=limits.max_tokens
            )
        except GraphQLError as error:
            return PreparedDocument(None, (self._syntax_error(error),))
        measures: dict[str, Measures] = {}
        for operation, measured in analyse(
            self.schema,
            document,
            limits.sizes,
            max_levels=max(limits.max_depth, limits.max_introspection_depth) + 1,
            max_spread_path=limits.max_fragment_spreads,
        ):
            refusal = self._check(measured)
            if refusal is not None:
                return PreparedDocument(document, (refusal,))
            measures[operation.name.value if operation.name else ""] = measured
        errors = validate(
            self.schema,
            document,
            self.rules,
            max_errors=MAX_VALIDATION_ERRORS,
            hide_suggestions=not limits.suggestions,
        )
        if errors and not limits.suggestions:
            errors = [_without_unwritten_names(error, query) for error in errors]
        cost = max((m.cost for m in measures.values()), default=0)
        return PreparedDocument(document, tuple(errors), cost, measures)

    def _syntax_error(self, error: GraphQLError) -> GraphQLError:
        message = error.message
        if "tokens" in message or "comments" in message:
            return limit_error(
                codes.TOO_MANY_TOKENS,
                f"the document has more than {self.limits.max_tokens} tokens",
            )
        if "nested too deeply" in message:
            return limit_error(codes.QUERY_TOO_DEEP, "the document is nested too deeply")
        return GraphQLError(
            message,
            source=error.source,
            positions=error.positions,
            extensions={"code": codes.PARSE_FAILED},
        )

    def _check(self, measured: Measures) -> GraphQLError | None:
        """The first bound an operation breaks. Expansions come first: when they are over,
        the other measures are partial (the analysis stopped expanding)."""
        limits = self.limits
        checks = (
            (
                measured.spreads,
                limits.max_fragment_spreads,
                codes.TOO_MANY_FRAGMENTS,
                "fragment spreads (expanded)",
            ),
            (measured.depth, limits.max_depth, codes.QUERY_TOO_DEEP, "levels deep"),
            (
                measured.introspection_depth,
                limits.max_introspection_depth,
                codes.QUERY_TOO_DEEP,
                "levels deep (introspection)",
            ),
            (measured.aliases, limits.max_aliases, codes.TOO_MANY_ALIASES, "aliases"),
            (
                measured.root_fields,
                limits.max_root_fields,
                codes.TOO_MANY_ROOT_FIELDS,
                "root fields",
            ),
            (measured.directives, limits.max_directives, codes.TOO_MANY_DIRECTIVES, "directives"),
            (measured.cost, limits.max_cost, codes.QUERY_TOO_COMPLEX, "cost"),
        )
        for value, bound, code, what in checks:
            if value > bound:
                if code == codes.QUERY_TOO_COMPLEX:
                    return limit_error(
                        code,
                        f"the query's cost is over the budget of {bound}",
                        cost=min(value, 10**12),
                        maxCost=bound,
                    )
                return limit_error(code, f"the query has more than {bound} {what}")
        return None


def _refused(code: str, message: str) -> PreparedDocument:
    return PreparedDocument(None, (limit_error(code, message),))


def _without_unwritten_names(error: GraphQLError, query: str) -> GraphQLError:
    """The error with every quoted name that the query does not contain replaced: messages
    such as "Cannot query field 'x' on type 'Complaint'" must not name a type to a client that
    cannot introspect."""

    def mask(match: re.Match[str]) -> str:
        quote, name = match.group(1), match.group(2)
        return match.group(0) if name in query else f"{quote}?{quote}"

    message = _QUOTED.sub(mask, error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        error.extensions,
    )
