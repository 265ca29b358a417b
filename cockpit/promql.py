"""Building the PromQL a refresh sends: pure functions, no I/O.

SLO queries are templates with ``{{.window}}`` where the range goes (Sloth's
convention). SLOs whose error and total templates are the same except for the
value of one label (``service="a"`` vs ``service="b"``) are fetched together:
the label's matcher becomes a regex over every value and each aggregation
keeps the label (``sum by (service)``), so a refresh costs one query per
distinct expression shape, however many services there are.

Sloth ``raw`` SLIs (one error-ratio template, no counts) are grouped the
same way, by the shape of that one template.

Grouping is only done when it provably returns, per label value, exactly what
the SLO's own query returns: every vector selector must pin the label with
``=`` to the SLO's value, and only label-preserving functions, plain
aggregations and binary operators without ``on``/``ignoring`` may appear.
Anything else is queried per SLO, as written.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Iterable, Mapping

from cockpit.durations import prom_window
from cockpit.model import SLO

WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.window\s*\}\}")
# Points a sparkline gets over one SLO window.
HISTORY_POINTS = 60
# A longer value regex makes URLs some proxies refuse (HTTP 414); past it the
# grouped query matches any value of the label and the cockpit picks its own.
MAX_REGEX_CHARS = 4000

_TOKEN = re.compile(
    r"""(?P<ws>\s+|\#[^\n]*)
    |(?P<window>\{\{\s*\.window\s*\}\})
    |(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    |(?P<number>0[xX][0-9a-fA-F]+|(?:\d+(?:ms|[smhdwy]))+|(?:\d*\.)?\d+(?:[eE][+-]?\d+)?)
    |(?P<ident>(?:[A-Za-z_]|:(?=[A-Za-z_:]))[A-Za-z0-9_:]*)  # not the ':' of a subquery [5m:1m]
    |(?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=@])
    |(?P<punct>[{}()\[\],:])""",
    re.VERBOSE,
)

_AGGREGATIONS = frozenset({"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"})
# Functions whose output series keep their input labels.
_LABEL_PRESERVING = frozenset({
    "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
    "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
    "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time",
    "quantile_over_time", "mad_over_time",
    "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "exp", "ln", "log2",
    "log10", "sqrt", "sgn", "sort", "sort_desc", "histogram_quantile", "histogram_fraction",
    "histogram_count", "histogram_sum",
})
_SET_OPERATORS = frozenset({"and", "or", "unless", "bool", "offset", "atan2"})
_GROUPING = frozenset({"by", "without"})
_VECTOR_MATCHING = frozenset({"on", "ignoring", "group_left", "group_right"})
_NUMBER_WORDS = frozenset({"inf", "nan"})
_PER_SECOND = frozenset({"rate", "irate"})


class PromQLError(ValueError):
    """An expression the grouping analysis does not understand."""


@dataclass(frozen=True)
class Token:
    kind: str  # window | string | number | ident | op | punct
    text: str
    start: int
    end: int


def render(template: str, window: timedelta) -> str:
    """The template with its ``{{.window}}`` ranges set to ``window``."""
    return WINDOW_PLACEHOLDER.sub(prom_window(window), template)


def tokenize(expr: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if not match:
            raise PromQLError(f"unexpected character {expr[pos]!r} at offset {pos}")
        if match.lastgroup != "ws":
            tokens.append(Token(match.lastgroup, match.group(), match.start(), match.end()))
        pos = match.end()
    return tokens


def per_second(template: str) -> bool:
    """True when the query gives events per second (``rate``), so a count over
    a window is the value times the window's seconds; ``increase`` and
    ``*_over_time`` queries already give counts."""
    try:
        names = {t.text for t in tokenize(template) if t.kind == "ident"}
    except PromQLError:
        return False
    return bool(names & _PER_SECOND) and not any(n == "increase" or n.endswith("_over_time") for n in names)


def history_step(window: timedelta) -> timedelta:
    """Step of the budget-history range query: HISTORY_POINTS per SLO window,
    whole minutes, at least 5 m (a range query then has 2 x 60 points)."""
    minutes = max(5, int(window.total_seconds() // 60 // HISTORY_POINTS))
    return timedelta(minutes=minutes)


# --- the shape of one expression ----------------------------------------------

@dataclass
class _Analysis:
    tokens: list[Token]
    # Per vector selector: label -> [(op, value, index of the value token)].
    selectors: list[dict[str, list[tuple[str, str, int]]]] = field(default_factory=list)
    # Where each aggregation's grouping goes: ("insert", token index after the
    # operator name) or ("by"/"without", index of the list's "(").
    aggregations: list[tuple[str, int]] = field(default_factory=list)
    groupable: bool = True


def _matching(tokens: list[Token], i: int) -> int:
    """Index of the bracket closing tokens[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == tokens[i].text and tokens[j].kind == "punct":
            depth += 1
        elif tokens[j].text == pairs[tokens[i].text] and tokens[j].kind == "punct":
            depth -= 1
            if depth == 0:
                return j
    raise PromQLError("unbalanced brackets")


def _label_list(tokens: list[Token], open_index: int) -> tuple[set[str], int]:
    close = _matching(tokens, open_index)
    return {t.text for t in tokens[open_index + 1:close] if t.kind == "ident"}, close


def _selector(tokens: list[Token], open_index: int) -> tuple[dict, int]:
    """Matchers of the ``{...}`` at open_index and the index of its ``}``."""
    close = _matching(tokens, open_index)
    matchers: dict[str, list[tuple[str, str, int]]] = {}
    body = tokens[open_index + 1:close]
    for k in range(0, len(body), 4):
        name, op, value = body[k:k + 3] if len(body) >= k + 3 else (None, None, None)
        separator = body[k + 3] if k + 3 < len(body) else None
        if (name is None or name.kind != "ident" or op.kind != "op" or value.kind != "string"
                or (separator is not None and separator.text != ",")):
            raise PromQLError("unsupported label matcher")
        try:
            text = value.text[1:-1] if value.text.startswith("`") else ast.literal_eval(value.text)
        except (ValueError, SyntaxError):
            raise PromQLError("unsupported string literal") from None
        matchers.setdefault(name.text, []).append((op.text, text, open_index + 1 + k + 2))
    return matchers, close


def analyse(expr: str) -> _Analysis:
    tokens = tokenize(expr)
    result = _Analysis(tokens)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind == "string":
            result.groupable = False  # strings outside selectors: label_replace & co.
        elif token.kind == "punct" and token.text == "{":
            matchers, i = _selector(tokens, i)
            result.selectors.append(matchers)
        elif token.kind == "ident":
            word = token.text.lower()
            if word in _NUMBER_WORDS or word in _SET_OPERATORS:
                pass
            elif word in _VECTOR_MATCHING:
                result.groupable = False  # on()/ignoring() may drop the grouping label
            elif word in _AGGREGATIONS and nxt is not None and (nxt.text == "(" or nxt.text in _GROUPING):
                if nxt.text in _GROUPING:
                    result.aggregations.append((nxt.text, i + 2))
                    _, i = _label_list(tokens, i + 2)
                    continue
                close = _matching(tokens, i + 1)
                after = tokens[close + 1] if close + 1 < len(tokens) else None
                if after is not None and after.text in _GROUPING:
                    result.aggregations.append((after.text, close + 2))
                else:
                    result.aggregations.append(("insert", i + 1))
            elif nxt is not None and nxt.text == "(":
                result.groupable &= word in _LABEL_PRESERVING
            elif word in _GROUPING:
                _, i = _label_list(tokens, i + 1)  # trailing clause, recorded above
            elif nxt is not None and nxt.text == "{":
                matchers, i = _selector(tokens, i + 1)
                result.selectors.append(matchers)
            else:
                result.selectors.append({})  # a bare metric name pins no label
        i += 1
    return result


def _pinned(analysis: _Analysis) -> dict[str, str]:
    """Labels every selector pins with ``=`` to one and the same value."""
    if not analysis.groupable or not analysis.selectors:
        return {}
    common: dict[str, str] | None = None
    for matchers in analysis.selectors:
        here = {name: ms[0][1] for name, ms in matchers.items()
                if name != "__name__" and len(ms) == 1 and ms[0][0] == "="}
        common = here if common is None else {k: v for k, v in common.items() if here.get(k) == v}
    return common or {}


def _shape(analysis: _Analysis, label: str) -> tuple[str, ...]:
    """The token texts with the label's values blanked: equal shapes differ at
    most in that label's value."""
    blank = {index for m in analysis.selectors for op, _, index in m.get(label, ())}
    return tuple("\0" if i in blank else t.text for i, t in enumerate(analysis.tokens))


def _keeps_label(analysis: _Analysis, label: str) -> bool:
    """False when a ``without (label)`` clause would drop the grouping label."""
    for kind, open_index in analysis.aggregations:
        if kind == "without" and label in _label_list(analysis.tokens, open_index)[0]:
            return False
    return True


def value_regex(values: Iterable[str]) -> str:
    """An anchored-regex alternation matching exactly ``values``."""
    return "|".join(re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", v) for v in sorted(values))


def value_matcher(values: Iterable[str]) -> str:
    """A matcher (operator and string) for exactly ``values``; past
    MAX_REGEX_CHARS, any non-empty value (the caller keeps its own)."""
    regex = value_regex(values)
    return f"=~{json.dumps(regex, ensure_ascii=False)}" if len(regex) <= MAX_REGEX_CHARS else '!=""'


def group_template(template: str, label: str, values: Iterable[str]) -> str:
    """``template`` rewritten to fetch every value of ``label`` at once, each
    aggregation keeping the label. ``template`` must be groupable by label."""
    analysis = analyse(template)
    matcher = value_matcher(values)
    edits: list[tuple[int, int, str]] = []
    for matchers in analysis.selectors:
        for _, _, index in matchers.get(label, ()):
            op = analysis.tokens[index - 1]
            edits.append((op.start, analysis.tokens[index].end, matcher))
    for kind, index in analysis.aggregations:
        if kind == "insert":
            edits.append((analysis.tokens[index].start, analysis.tokens[index].start, f" by ({label}) "))
        elif kind == "by":
            names, close = _label_list(analysis.tokens, index)
            if label not in names:
                where = analysis.tokens[close].start
                edits.append((where, where, f", {label}" if names else label))
    text = template
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


# --- grouping SLOs ------------------------------------------------------------

@dataclass(frozen=True)
class QueryGroup:
    """SLOs fetched by one error and one total query, or, for Sloth ``raw``
    SLIs (``total_template`` empty), by one error-ratio query. ``label`` is
    None for a query sent as written; otherwise results are split by that
    label's value."""

    label: str | None
    error_template: str  # the error-ratio template in a ratio group
    total_template: str
    members: Mapping[str, tuple[SLO, ...]]  # label value ("" when ungrouped) -> SLOs

    @property
    def slos(self) -> tuple[SLO, ...]:
        return tuple(slo for group in self.members.values() for slo in group)

    @property
    def ratio(self) -> bool:
        return not self.total_template

    def error_query(self, window: timedelta) -> str:
        return render(self._templates[0], window)

    def total_query(self, window: timedelta) -> str:
        return render(self._templates[1], window)

    @property
    def time_averaged(self) -> bool:
        """A ratio template without ``{{.window}}``: an instant ratio, which
        ratio_query averages over each window's time."""
        return self.ratio and not WINDOW_PLACEHOLDER.search(self.error_template)

    def ratio_query(self, window: timedelta) -> str:
        """The error ratio over ``window``: the template rendered for it, or,
        with no ``{{.window}}`` to render, its average over the window sampled
        every ratio_resolution(window) (a subquery), as Sloth's SLO-period
        ratio averages its 5-minute ratios."""
        if not self.time_averaged:
            return self.error_query(window)
        every = prom_window(ratio_resolution(window))
        return f"avg_over_time(({self._templates[0]})[{prom_window(window)}:{every}])"

    @cached_property
    def _templates(self) -> tuple[str, str]:
        if self.label is None:
            return self.error_template, self.total_template
        return (group_template(self.error_template, self.label, self.members),
                group_template(self.total_template, self.label, self.members) if self.total_template else "")


def ratio_resolution(window: timedelta) -> timedelta:
    """How often an instant error ratio is sampled to average it over
    ``window``: 300 samples per window, at least every 30 s, whole seconds."""
    return timedelta(seconds=max(30, int(window.total_seconds()) // 300))


def slo_templates(slo: SLO) -> tuple[str, ...]:
    """The templates one SLO needs: error and total, else its error ratio."""
    if slo.error_query and slo.total_query:
        return slo.error_query, slo.total_query
    return (slo.error_ratio_query,) if slo.error_ratio_query else ()


def group_slos(slos: Iterable[SLO]) -> list[QueryGroup]:
    """Partition SLOs (with error and total queries, or an error-ratio query)
    into query groups: the fewest groups such that each group's SLOs differ
    only in one label's value. Identical queries are always shared."""
    candidates: dict[tuple, list[tuple[str, SLO]]] = {}
    options: list[tuple[SLO, list[tuple]]] = []
    for slo in slos:
        templates = slo_templates(slo)
        if not templates:
            continue
        keys = [(None, *(t.strip() for t in templates))]
        try:
            analyses = [analyse(t) for t in templates]
        except PromQLError:
            analyses = []
        if analyses:
            pinned = [_pinned(a) for a in analyses]
            for label, value in pinned[0].items():
                if all(p.get(label) == value for p in pinned) and all(_keeps_label(a, label) for a in analyses):
                    key = (label, *(_shape(a, label) for a in analyses))
                    keys.append(key)
                    candidates.setdefault(key, []).append((value, slo))
        candidates.setdefault(keys[0], []).append(("", slo))
        options.append((slo, keys))

    # Biggest buckets first; "service" wins ties, as the label people group by.
    def preference(key: tuple) -> tuple:
        return (-len(candidates[key]), key[0] != "service", key[0] is None, str(key[0]))

    chosen: dict[tuple, dict[str, list[SLO]]] = {}
    for slo, keys in options:
        best = min(keys, key=preference)
        if best[0] is not None and len(candidates[best]) == 1:
            best = keys[0]  # a group of one: send the query as written
        value = next(v for v, s in candidates[best] if s is slo)
        chosen.setdefault(best, {}).setdefault(value, []).append(slo)

    groups = []
    for key, members in chosen.items():
        templates = slo_templates(next(iter(members.values()))[0])
        groups.append(QueryGroup(label=key[0], error_template=templates[0],
                                 total_template=templates[1] if len(templates) == 2 else "",
                                 members={v: tuple(s) for v, s in members.items()}))
    return groups


# --- sample values -----------------------------------------------------------

def sample_value(sample: object) -> float:
    """A Prometheus sample value ("1.5", "NaN", "+Inf") as a float; NaN if odd."""
    try:
        return float(sample)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
