"""The PromQL templates an OpenSLO SLI becomes, per budgeting method. Pure.

Every template has ``{{.window}}`` where the range goes, as the rest of the
cockpit expects, and gives error and total *counts* (or rates) over it:

* Occurrences: events. A query with its own ``{{.window}}`` (Sloth's way) is
  taken as written; a raw counter (``counter: true``) has each selector
  wrapped in ``increase(...[{{.window}}])``; any other instant query is a
  gauge of events, summed once a minute (``sum_over_time`` subquery); both
  then summed over their series. A
  threshold metric counts its samples, once a minute, failing the objective.
* Timeslices: the slices of ``timeSliceWindow`` whose success ratio is below
  ``timeSliceTarget`` out of all slices with data; RatioTimeslices: the sum
  of the slices' error ratios out of the slice count (their average).
  Slices are evaluated by a subquery every slice length, aligned to the
  epoch as Prometheus aligns subqueries. The subquery is offset by 1 s so
  that no slice end falls on the range's edge: Prometheus 2 (closed ranges)
  and 3 (left-open) then count the same W/S slices, ending one slice before
  the evaluation time at the latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cockpit.durations import prom_window
from cockpit.promql import WINDOW_PLACEHOLDER, PromQLError, _matching, render, tokenize

WINDOW = "{{.window}}"
SAMPLE_EVERY = "1m"  # how often an instant query (gauge, threshold, raw ratio) is sampled
EDGE = "offset 1s"
# Comparison meaning "good" for each OpenSLO op, and its negation ("bad").
GOOD_OP = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
BAD_OP = {"lt": ">=", "lte": ">", "gt": "<=", "gte": "<"}

_LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_KEYWORDS = frozenset({"bool", "offset", "and", "or", "unless", "atan2", "inf", "nan",  # and aggregations,
                       "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
                       "quantile", "count_values"})  # which may take `by (...)` before their "("


@dataclass(frozen=True)
class Indicator:
    """An SLI as far as PromQL is concerned."""

    kind: str  # ratio | raw | threshold
    good: str = ""  # ratio: good or bad, and total
    bad: str = ""
    total: str = ""
    counter: bool = False
    raw: str = ""  # raw: the ratio query, of successes unless raw_failure
    raw_failure: bool = False
    threshold: str = ""  # threshold: the metric compared with the objective's value


@dataclass(frozen=True)
class Objective:
    method: str  # Occurrences | Timeslices | RatioTimeslices
    op: str = ""  # threshold metrics
    value: float = 0.0
    slice_target: float = 0.0
    time_slice: timedelta | None = None


def templates(sli: Indicator, objective: Objective) -> dict[str, str]:
    """The SLO query fields (error_query / total_query, or error_ratio_query)."""
    if objective.method == "Occurrences":
        return _occurrences(sli, objective)
    slice_ratio = success_ratio(sli, objective, objective.time_slice)
    every = prom_window(objective.time_slice)
    total = f"count_over_time(({slice_ratio})[{WINDOW}:{every}] {EDGE})"
    if objective.method == "Timeslices":
        error = f"sum_over_time((({slice_ratio}) < bool {objective.slice_target!r})[{WINDOW}:{every}] {EDGE})"
    else:
        error = f"sum_over_time((1 - ({slice_ratio}))[{WINDOW}:{every}] {EDGE})"
    return {"error_query": error, "total_query": total}


def _occurrences(sli: Indicator, objective: Objective) -> dict[str, str]:
    if sli.kind == "raw":
        return {"error_ratio_query": sli.raw if sli.raw_failure else f"1 - ({sli.raw})"}
    if sli.kind == "threshold":
        bad = f"(({sli.threshold}) {BAD_OP[objective.op]} bool {objective.value!r})"
        return {"error_query": f"sum_over_time({bad}[{WINDOW}:{SAMPLE_EVERY}] {EDGE})",
                "total_query": f"count_over_time(({sli.threshold})[{WINDOW}:{SAMPLE_EVERY}] {EDGE})"}
    total = events(sli.total, sli.counter)
    if sli.bad:
        return {"error_query": events(sli.bad, sli.counter), "total_query": total}
    return {"error_query": f"({total}) - ({events(sli.good, sli.counter)})", "total_query": total}


def success_ratio(sli: Indicator, objective: Objective, window: timedelta) -> str:
    """An instant expression: the share of good events (or samples) in the
    ``window`` before each evaluation; no sample where there were none."""
    if sli.kind == "raw":
        ratio = (render(sli.raw, window) if WINDOW_PLACEHOLDER.search(sli.raw)
                 else f"avg_over_time(({sli.raw})[{prom_window(window)}:{SAMPLE_EVERY}])")
        return f"1 - ({ratio})" if sli.raw_failure else ratio
    if sli.kind == "threshold":
        good = f"(({sli.threshold}) {GOOD_OP[objective.op]} bool {objective.value!r})"
        return f"avg_over_time({good}[{prom_window(window)}:{SAMPLE_EVERY}])"
    total = f"({_summed(sli.total, sli.counter, window)} > 0)"
    if sli.bad:
        return f"1 - {_summed(sli.bad, sli.counter, window)} / {total}"
    return f"{_summed(sli.good, sli.counter, window)} / {total}"


def _summed(query: str, counter: bool, window: timedelta) -> str:
    """The events over ``window``, summed over series (events() sums all but
    a query written with its own ``{{.window}}``)."""
    counted = render(events(query, counter), window)
    return f"sum({counted})" if WINDOW_PLACEHOLDER.search(query) else counted


def events(query: str, counter: bool) -> str:
    """A template for the events ``query`` counts over ``{{.window}}``."""
    if WINDOW_PLACEHOLDER.search(query):
        return query
    # Summed, so that good and total series with different labels still subtract.
    if counter:
        return f"sum({increase_selectors(query)})"
    return f"sum(sum_over_time(({query})[{WINDOW}:{SAMPLE_EVERY}]))"


def increase_selectors(query: str) -> str:
    """Each vector selector of a raw-counter query wrapped in
    ``increase(...[{{.window}}])``: ``sum(x{a="b"})`` counts events as
    ``sum(increase(x{a="b"}[{{.window}}]))``, counter resets included.
    Raises PromQLError on a selector that already has a range."""
    tokens = tokenize(query)
    spans: list[tuple[int, int]] = []  # character spans of the selectors
    i = 0
    while i < len(tokens):
        token, nxt = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else None
        word = token.text.lower() if token.kind == "ident" else ""
        end = None
        if word in _LABEL_LISTS:
            i = _matching(tokens, i + 1) if nxt is not None and nxt.text == "(" else i
        elif word and word not in _KEYWORDS and (nxt is None or nxt.text != "("):
            end = _matching(tokens, i + 1) if nxt is not None and nxt.text == "{" else i
        elif token.text == "{":
            end = _matching(tokens, i)
        if end is not None:
            if end + 1 < len(tokens) and tokens[end + 1].text == "[":
                raise PromQLError("a raw counter's query should select the counter itself, without a range")
            spans.append((token.start, tokens[end].end))
            i = end
        i += 1
    for start, end in reversed(spans):
        query = f"{query[:start]}increase({query[start:end]}[{WINDOW}]){query[end:]}"
    return query
