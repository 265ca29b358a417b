"""Pyrra ``ServiceLevelObjective`` resources (``apiVersion: pyrra.dev/v1alpha1``),
as Pyrra reads them from Kubernetes or, in its filesystem mode, from files.

How one maps onto the cockpit's SLO:

* name ``metadata.name``; objective ``spec.target`` (a quoted percentage,
  ``"99.5"``) / 100; window ``spec.window`` (a Prometheus duration: ``28d``,
  ``4w``, ``1w3d``); description ``spec.description``; labels
  ``metadata.labels`` plus ``namespace``.
* service: Pyrra has none, so the cockpit reads it from the label
  ``pyrra.dev/service`` in ``metadata.labels`` (Pyrra copies ``pyrra.dev/*``
  labels, prefix dropped, onto the rules and alerts it generates, so the
  alerts carry ``service=NAME`` too), else from a plain ``service`` label.
  An SLO with neither is a Problem.
* ``indicator.ratio`` {errors, total}: errors over total, as Pyrra computes
  it: ``sum(rate(ERRORS[w]))`` and ``sum(rate(TOTAL[w]))``.
* ``indicator.latency`` {success, total}: the requests slower than the
  success bucket's ``le`` are the errors: ``sum(rate(TOTAL[w])) -
  sum(rate(SUCCESS[w]))``, over ``sum(rate(TOTAL[w]))``.
* ``indicator.bool_gauge`` {metric}: a 0/1 gauge such as the blackbox
  exporter's ``probe_success``. As in Pyrra, every sample is an event and the
  samples equal to 0 are the errors: ``sum(count_over_time(M[w])) -
  sum(sum_over_time(M[w]))`` over ``sum(count_over_time(M[w]))``. These are
  counts of samples already (not per-second rates: promql.per_second says
  so), so the events are probe samples, not requests, and "insufficient
  traffic" means too few samples in a window; the SLO's description says so.
  All three are event ratios, so the prometheus source groups, burns and
  draws them like any other SLO.
* ``grouping`` (any indicator): Pyrra shows one SLO per value of the grouping
  labels; the cockpit has one SLO per definition, so it measures all the
  values together, and the description says so.

Not supported (a Problem naming the indicator; the rest of the file loads):
``latencyNative`` (native histograms: the share under the latency comes from
``histogram_fraction``'s interpolation within buckets, an estimate).
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

from cockpit.model import SLO, frozen_map
from cockpit.promql import PromQLError, tokenize
from cockpit.slo_specs.reader import SpecReader, fraction
from cockpit.yamlfile import yaml_shape

API_VERSION = "pyrra.dev/v1alpha1"
SERVICE_LABELS = ("pyrra.dev/service", "service")
_SPEC_KEYS = {"description", "target", "window", "indicator", "alerting", "partial_response_strategy"}
_INDICATORS = ("ratio", "latency", "latencyNative", "bool_gauge")
_UNSUPPORTED = {
    "latencyNative": "latencyNative indicators are not supported: native histograms give the share under the "
                     "latency only as histogram_fraction's estimate; use latency with a classic histogram bucket",
}
# The queries of each supported indicator: (key of the errors or success metric, key of the total).
_QUERIES = {"ratio": ("errors", "total"), "latency": ("success", "total")}
_SAMPLES_NOTE = ("Events are probe samples (each scrape of the 0/1 gauge; 0 is an error), not requests: "
                 "insufficient traffic means too few samples in a window.")
# Prometheus' duration syntax (what Pyrra accepts): units in this order, each at most once.
_PROM_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")


def read(reader: SpecReader, doc: dict) -> None:
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != "ServiceLevelObjective":
        key = "apiVersion" if doc.get("apiVersion") != API_VERSION else "kind"
        reader.problem(doc, key, key, f"unsupported Pyrra resource {doc.get('apiVersion')!r} "
                       f"{doc.get('kind')!r} (expected {API_VERSION} ServiceLevelObjective)")
        return
    metadata = reader.mapping(doc, "metadata", "", required=True) or {}
    spec = reader.mapping(doc, "spec", "", required=True)
    name = reader.text(metadata, "name", "metadata", required=True)
    service_at = _service(reader, metadata) if name else None
    if spec is None:
        return
    reader.unknown_keys(spec, _SPEC_KEYS, "spec")
    target = _target(reader, spec)
    window = _window(reader, spec)
    sli = _indicator(reader, spec)
    if not (name and service_at and target is not None and window and sli):
        return
    labels_node, label = service_at
    kind, error_query, total_query, grouping, threshold = sli
    description = reader.text(spec, "description", "spec")
    notes = [_SAMPLES_NOTE] if kind == "bool_gauge" else []
    if grouping:
        notes.append(f"Measured over all {', '.join(grouping)} values together; "
                     "Pyrra also shows each value as its own SLO.")
    description = " ".join(filter(None, [description, *notes]))
    labels = reader.labels(metadata, "labels", "metadata")
    namespace = reader.text(metadata, "namespace", "metadata")
    if namespace:
        labels.setdefault("namespace", namespace)
    target_text = f"{target:g}%" + (f" within {threshold}s" if threshold else "") + \
        (" of samples" if kind == "bool_gauge" else "")
    reader.add(SLO(
        service=str(labels_node[label]).strip(), name=name, objective=fraction(target), window=window,
        sli=kind, description=description, target_text=target_text,
        error_query=error_query, total_query=total_query, labels=frozen_map(labels),
        origin=reader.origin(metadata, "name"),
    ), labels_node, label, f"metadata.labels.{label}")


def _service(reader: SpecReader, metadata: dict) -> tuple[dict, str] | None:
    """(labels node, key) of the label naming the SLO's catalog service."""
    present = "labels" in metadata
    labels = reader.mapping(metadata, "labels", "metadata")
    if present and labels is None:
        return None  # not a mapping: already a Problem
    if labels is not None:
        for key in SERVICE_LABELS:
            value = labels.get(key)
            if isinstance(value, str) and value.strip():
                return labels, key
            if key in labels:
                reader.problem(labels, key, f"metadata.labels.{key}", "expected the service's name as text")
                return None
    reader.problem(metadata, "labels" if present else "name", "metadata.labels",
                   "no service: add the label `pyrra.dev/service: NAME` (Pyrra has no service field; "
                   "a plain `service` label works too)")
    return None


def _target(reader: SpecReader, spec: dict) -> float | None:
    """spec.target in percent. Pyrra's target is text ("99.5"): an unquoted
    number is refused by Pyrra itself, so it is a Problem here too."""
    value = spec.get("target")
    if value is None:
        reader.problem(spec, "target" if "target" in spec else None, "spec.target",
                       'missing (required): the objective as a quoted percentage, e.g. "99.5"')
        return None
    if not isinstance(value, str):
        reader.problem(spec, "target", "spec.target", f'expected a quoted percentage such as "99.5" '
                       f"(Pyrra's target is text), got {yaml_shape(value)}")
        return None
    try:
        target = float(value.strip())
    except ValueError:
        target = math.nan
    if math.isnan(target):
        reader.problem(spec, "target", "spec.target", f'not a number: {value!r} (write e.g. "99.5")')
        return None
    if not 0 < target < 100:
        reader.problem(spec, "target", "spec.target", f"target {value.strip()} is out of range: "
                       "a percentage above 0 and below 100")
        return None
    if target < 1:  # "0.995" is 0.995 %, an SLO nobody means (Pyrra only warns): say so, load nothing wrong
        reader.problem(spec, "target", "spec.target", f"target {value.strip()} is a percentage: "
                       f"{value.strip()} means {target:g} %; for {target * 100:g} % write \"{target * 100:g}\"")
        return None
    return target


def _window(reader: SpecReader, spec: dict) -> timedelta | None:
    value = spec.get("window")
    if value is None:
        reader.problem(spec, "window" if "window" in spec else None, "spec.window",
                       "missing (required): the SLO window, e.g. 28d or 4w")
        return None
    text = value.strip() if isinstance(value, str) else ""
    if not text or not _PROM_DURATION.match(text):
        reader.problem(spec, "window", "spec.window", f"not a Prometheus duration: {value!r} "
                       "(write e.g. 28d, 4w or 2w; units ms, s, m, h, d, w, y)")
        return None
    window = reader.duration(spec, "window", "spec")  # None (reported) when over 10 years
    if window is None:
        return None
    if not window:
        reader.problem(spec, "window", "spec.window", "the window must be longer than 0")
        return None
    return window


def _indicator(reader: SpecReader, spec: dict) -> tuple[str, str, str, list[str], str] | None:
    """(kind, error query, total query, grouping labels, latency threshold)."""
    indicator = reader.mapping(spec, "indicator", "spec", required=True)
    if indicator is None:
        return None
    reader.unknown_keys(indicator, set(_INDICATORS), "spec.indicator")
    kinds = [k for k in _INDICATORS if k in indicator]
    if len(kinds) != 1:
        got = f"; got {', '.join(kinds)}" if kinds else ""
        reader.problem(spec, "indicator", "spec.indicator", f"expected exactly one of {', '.join(_INDICATORS)}{got}")
        return None
    kind = kinds[0]
    path = f"spec.indicator.{kind}"
    if kind in _UNSUPPORTED:
        reader.problem(indicator, kind, path, _UNSUPPORTED[kind])
        return None
    body = reader.mapping(indicator, kind, "spec.indicator", required=True)
    if body is None:
        return None
    if kind == "bool_gauge":
        return _bool_gauge(reader, body, path)
    first_key, total_key = _QUERIES[kind]
    reader.unknown_keys(body, {first_key, total_key, "grouping"}, path)
    first, total = (_selector(reader, body, key, path) for key in (first_key, total_key))
    grouping = _grouping(reader, body, path)
    if first is None or total is None or grouping is None:
        return None
    total_query = f"sum(rate({total}[{{{{.window}}}}]))"
    if kind == "ratio":
        return kind, f"sum(rate({first}[{{{{.window}}}}]))", total_query, grouping, ""
    threshold = _le(first)
    if threshold is None:
        reader.problem(body[first_key], "metric", f"{path}.{first_key}.metric",
                       'expected an le matcher: the histogram bucket of the latency target, e.g. le="0.5"')
        return None
    return kind, f"{total_query} - sum(rate({first}[{{{{.window}}}}]))", total_query, grouping, threshold


def _bool_gauge(reader: SpecReader, body: dict, path: str) -> tuple[str, str, str, list[str], str] | None:
    """Pyrra's bool_gauge: each sample of the gauge is an event, a 0 an error."""
    reader.unknown_keys(body, {"metric", "grouping"}, path)
    metric = _metric(reader, body, path, "count_over_time() and sum_over_time()")
    grouping = _grouping(reader, body, path)
    if metric is None or grouping is None:
        return None
    samples = f"sum(count_over_time({metric}[{{{{.window}}}}]))"
    return "bool_gauge", f"{samples} - sum(sum_over_time({metric}[{{{{.window}}}}]))", samples, grouping, ""


def _selector(reader: SpecReader, body: dict, key: str, path: str) -> str | None:
    """The ``metric`` of body[key] (Pyrra wraps it in rate() itself)."""
    query = reader.mapping(body, key, path, required=True)
    if query is None:
        return None
    where = f"{path}.{key}"
    reader.unknown_keys(query, {"metric"}, where)
    return _metric(reader, query, where, "rate()")


def _metric(reader: SpecReader, query: dict, where: str, wrapped_in: str) -> str | None:
    """query's ``metric``: one vector selector, as Pyrra requires (it wraps
    it in ``wrapped_in`` itself)."""
    metric = reader.text(query, "metric", where, required=True)
    if not metric:
        return None
    if not _is_selector(metric):
        reader.problem(query, "metric", f"{where}.metric", f"expected one metric selector such as "
                       f'name{{label="value"}} (Pyrra adds {wrapped_in} itself), got {metric!r}')
        return None
    return metric


def _is_selector(metric: str) -> bool:
    try:
        tokens = tokenize(metric)
    except PromQLError:
        return False
    if tokens and tokens[0].kind == "ident":
        tokens = tokens[1:]
    if not tokens:
        return True
    if tokens[0].text != "{" or tokens[-1].text != "}":
        return False
    return all(t.kind in ("ident", "op", "string") or t.text == "," for t in tokens[1:-1])


def _le(selector: str) -> str | None:
    """The value of the selector's ``le="..."`` matcher, if it has one."""
    tokens = tokenize(selector)
    for name, op, value in zip(tokens, tokens[1:], tokens[2:]):
        if name.kind == "ident" and name.text == "le" and op.text == "=" and value.kind == "string":
            return value.text[1:-1]
    return None


def _grouping(reader: SpecReader, body: dict, path: str) -> list[str] | None:
    grouping = body.get("grouping")
    if grouping is None:
        return []
    if not isinstance(grouping, list) or not all(isinstance(g, str) for g in grouping):
        reader.problem(body, "grouping", f"{path}.grouping", "expected a list of label names")
        return None
    return [g.strip() for g in grouping]
