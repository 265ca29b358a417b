"""Pyrra ``ServiceLevelObjective`` resources (``apiVersion: pyrra.dev/v1alpha1``),
as Pyrra reads them from Kubernetes or, in its filesystem mode, from files.

How one maps onto the cockpit's SLO:

* name ``metadata.name``; objective ``spec.target`` (a quoted percentage,
  ``"99.5"``) / 100; window ``spec.window`` (a Prometheus duration: ``28d``,
  ``4w``, ``1w3d``); description ``spec.description``; labels
  ``metadata.labels`` plus ``namespace``.
* service: Pyrra has none and needs none, so neither does the cockpit. It is
  the label ``pyrra.dev/service`` in ``metadata.labels`` (Pyrra copies
  ``pyrra.dev/*`` labels, prefix dropped, onto the rules and alerts it
  generates, so the alerts carry ``service=NAME`` too) or a plain ``service``
  label; else the prometheus source's ``pyrra_services`` mapping (keys
  ``NAMESPACE/NAME`` or ``NAMESPACE``); else the namespace; else none. An SLO
  whose service is not in the catalog is listed as unowned, never dropped.
* ``indicator.ratio`` {errors, total}: errors over total, as Pyrra computes
  it: ``sum(rate(ERRORS[w]))`` and ``sum(rate(TOTAL[w]))``.
* ``indicator.latency`` {success, total}: the requests slower than the
  success bucket's ``le`` are the errors: ``sum(rate(TOTAL[w])) -
  sum(rate(SUCCESS[w]))``, over ``sum(rate(TOTAL[w]))``.
* ``indicator.latencyNative`` {total, latency}: a native histogram; as in
  Pyrra the error ratio is ``1 - histogram_fraction(0, LATENCY,
  sum(rate(TOTAL[w])))`` and the events are ``histogram_count`` of the same
  sum, so the errors are that count times the ratio. histogram_fraction
  interpolates inside the bucket holding the latency: the description says
  the share is Prometheus' estimate, as it is in Pyrra.
* ``indicator.bool_gauge`` {metric}: a 0/1 gauge such as the blackbox
  exporter's ``probe_success``. As in Pyrra, every sample is an event and the
  samples equal to 0 are the errors: ``sum(count_over_time(M[w])) -
  sum(sum_over_time(M[w]))`` over ``sum(count_over_time(M[w]))``. These are
  counts of samples already (not per-second rates: promql.per_second says
  so), so the events are probe samples, not requests, and "insufficient
  traffic" means too few samples in a window; the SLO's description says so.
  All four are event ratios, so the prometheus source groups, burns and
  draws them like any other SLO.
* ``grouping`` (any indicator): Pyrra shows one SLO per value of the grouping
  labels; the cockpit has one SLO per definition, so it measures all the
  values together, and the description says so.

"""

from __future__ import annotations

import math
import re
from datetime import timedelta

from cockpit import pyrra_rules
from cockpit.durations import parse_duration
from cockpit.model import SLO, frozen_map
from cockpit.promql import PromQLError, tokenize
from cockpit.slo_specs.reader import SpecReader, fraction
from cockpit.yamlfile import yaml_shape

# (kind, error query, total query, grouping, latency threshold, (other selector, total selector))
Indicator = tuple[str, str, str, list[str], str, tuple[str, str]]
API_VERSION = "pyrra.dev/v1alpha1"
SERVICE_LABELS = ("pyrra.dev/service", "service")
_SPEC_KEYS = {"description", "target", "window", "indicator", "alerting", "partial_response_strategy"}
_INDICATORS = ("ratio", "latency", "latencyNative", "bool_gauge")
# The queries of each supported indicator: (key of the errors or success metric, key of the total).
_QUERIES = {"ratio": ("errors", "total"), "latency": ("success", "total")}
_NATIVE_NOTE = ("The share of requests within the latency is histogram_fraction's estimate from the native "
                "histogram's buckets, as in Pyrra.")
_SAMPLES_NOTE = ("Events are probe samples (each scrape of the 0/1 gauge; 0 is an error), not requests: "
                 "insufficient traffic means too few samples in a window.")
# Prometheus' duration syntax (what Pyrra accepts): units in this order, each at most once.
_OFFSET = re.compile(r"\s+offset\s+(\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)\s*$")
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
    namespace = reader.text(metadata, "namespace", "metadata")
    service_at = _service(reader, metadata, name, namespace) if name else None
    if spec is None:
        return
    reader.unknown_keys(spec, _SPEC_KEYS, "spec")
    target = _target(reader, spec)
    window = _window(reader, spec)
    notes: list[str] = []  # what the description should say about how it is measured
    sli = _indicator(reader, spec, notes)
    if not (name and service_at and target is not None and window and sli):
        return
    service, (node, key, path) = service_at
    kind, error_query, total_query, grouping, threshold, (other, total) = sli
    description = reader.text(spec, "description", "spec")
    notes[:0] = [_SAMPLES_NOTE] if kind == "bool_gauge" else []
    if grouping:
        notes.append(f"Measured over all {', '.join(grouping)} values together; "
                     "Pyrra also shows each value as its own SLO.")
    description = " ".join(filter(None, [description, *notes]))
    labels = reader.labels(metadata, "labels", "metadata")
    if namespace:
        labels.setdefault("namespace", namespace)
    target_text = f"{target:g}%" + (f" within {threshold}s" if threshold else "") + \
        (" of samples" if kind == "bool_gauge" else "")
    slo = SLO(
        service=service, name=name, objective=fraction(target), window=window,
        sli=kind, description=description, target_text=target_text,
        error_query=error_query, total_query=total_query, labels=frozen_map(labels),
        origin=reader.origin(metadata, "name"),
    )
    reader.add(slo, node, key, path)
    rules = pyrra_rules.recorded(kind, name, window, other, total)
    if rules is not None and reader.slos.get(slo.key) is slo:
        reader.pyrra_recorded[slo.key] = rules


def _service(reader: SpecReader, metadata: dict, name: str, namespace: str) -> tuple[str, tuple] | None:
    """The SLO's service ("" when nothing names one: unowned) and where it
    came from (node, key, key path) for cross-checks."""
    present = "labels" in metadata
    labels = reader.mapping(metadata, "labels", "metadata")
    if present and labels is None:
        return None  # not a mapping: already a Problem
    for key in SERVICE_LABELS if labels is not None else ():
        value = labels.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip(), (labels, key, f"metadata.labels.{key}")
        if key in labels:
            reader.problem(labels, key, f"metadata.labels.{key}", "expected the service's name as text")
            return None
    mapped = reader.pyrra_services.get(f"{namespace}/{name}") or reader.pyrra_services.get(namespace)
    where = (metadata, "namespace", "metadata.namespace") if namespace else (metadata, "name", "metadata.name")
    return (mapped or namespace), where


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


def _indicator(reader: SpecReader, spec: dict, notes: list[str]) -> Indicator | None:
    """(kind, error query, total query, grouping labels, latency threshold,
    (the errors, success or gauge selector, the total selector) as written)."""
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
    body = reader.mapping(indicator, kind, "spec.indicator", required=True)
    if body is None:
        return None
    if kind == "bool_gauge":
        return _bool_gauge(reader, body, path, notes)
    if kind == "latencyNative":
        return _latency_native(reader, body, path, notes)
    first_key, total_key = _QUERIES[kind]
    reader.unknown_keys(body, {first_key, total_key, "grouping"}, path)
    first, total = (_selector(reader, body, key, path, notes) for key in (first_key, total_key))
    grouping = _grouping(reader, body, path)
    if first is None or total is None or grouping is None:
        return None
    total_query = f"sum(rate({total}[{{{{.window}}}}]))"
    if kind == "ratio":
        return kind, f"sum(rate({first}[{{{{.window}}}}]))", total_query, grouping, "", (first, total)
    threshold = _le(first)
    if threshold is None:
        reader.problem(body[first_key], "metric", f"{path}.{first_key}.metric",
                       'expected an le matcher: the histogram bucket of the latency target, e.g. le="0.5"')
        return None
    return kind, f"{total_query} - sum(rate({first}[{{{{.window}}}}]))", total_query, grouping, threshold, \
        (first, total)


def _bool_gauge(reader: SpecReader, body: dict, path: str, notes: list[str]) -> Indicator | None:
    """Pyrra's bool_gauge: each sample of the gauge is an event, a 0 an error."""
    reader.unknown_keys(body, {"metric", "grouping"}, path)
    metric = _metric(reader, body, path, "count_over_time() and sum_over_time()", notes)
    grouping = _grouping(reader, body, path)
    if metric is None or grouping is None:
        return None
    samples = f"sum(count_over_time({metric}[{{{{.window}}}}]))"
    return ("bool_gauge", f"{samples} - sum(sum_over_time({metric}[{{{{.window}}}}]))", samples, grouping, "",
            (metric, metric))


def _latency_native(reader: SpecReader, body: dict, path: str, notes: list[str]) -> Indicator | None:
    """Pyrra's latencyNative: the share of a native histogram above the latency."""
    reader.unknown_keys(body, {"total", "latency", "grouping"}, path)
    total = _selector(reader, body, "total", path, notes)
    grouping = _grouping(reader, body, path)
    latency = body.get("latency")
    text = latency.strip() if isinstance(latency, str) else ""
    if not text or not _PROM_DURATION.match(text) or not parse_duration(text):
        reader.problem(body, "latency" if "latency" in body else None, f"{path}.latency",
                       f"expected the latency as a Prometheus duration such as 200ms or 1s, got {latency!r}")
        return None
    if total is None or grouping is None:
        return None
    notes.append(_NATIVE_NOTE)
    seconds = f"{parse_duration(text).total_seconds():g}"
    histogram = f"sum(rate({total}[{{{{.window}}}}]))"
    total_query = f"histogram_count({histogram})"
    return ("latencyNative", f"{total_query} * (1 - histogram_fraction(0, {seconds}, {histogram}))", total_query,
            grouping, seconds, (total, total))


def _selector(reader: SpecReader, body: dict, key: str, path: str, notes: list[str]) -> str | None:
    """The ``metric`` of body[key] (Pyrra wraps it in rate() itself)."""
    query = reader.mapping(body, key, path, required=True)
    if query is None:
        return None
    where = f"{path}.{key}"
    reader.unknown_keys(query, {"metric"}, where)
    return _metric(reader, query, where, "rate()", notes)


def _metric(reader: SpecReader, query: dict, where: str, wrapped_in: str, notes: list[str]) -> str | None:
    """query's ``metric``: one vector selector, as Pyrra requires (it wraps
    it in ``wrapped_in`` itself). An ``offset`` after it is dropped, as
    Pyrra drops it (it keeps only the name and matchers): the note says so."""
    metric = reader.text(query, "metric", where, required=True)
    if not metric:
        return None
    offset = _OFFSET.search(metric)
    if offset:
        metric = metric[:offset.start()].strip()
        note = f"Pyrra ignores the metrics' offset {offset.group(1)}; so does the cockpit."
        if note not in notes:
            notes.append(note)
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
