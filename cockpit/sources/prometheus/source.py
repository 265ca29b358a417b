"""The prometheus source: live SLOs computed by the user's own Prometheus, or
anything speaking its HTTP API (Thanos, Mimir, VictoriaMetrics).

One refresh sends, all evaluated at the source clock's time:
- one query for Sloth's recording rules; SLOs that have them are read from
  them (cockpit.sources.prometheus.sloth_rules), plus one range query for their budget history;
- one query for Pyrra's recorded SLO-window counts; Pyrra SLOs that have
  them take their window and (one range query per SLO window) their budget
  history from them (cockpit.pyrra_rules), and only their burn windows raw;
- per query group (cockpit.promql: SLOs whose queries differ only in one
  label's value) an error and a total query for each burn window, and an
  error and a total range query of per-step counts over two SLO windows:
  rolling sums of those give the SLO-window events and the budget history;
- per group of Sloth ``raw`` SLIs (an error-ratio template, grouped the same
  way) its ratio query for each burn window, and one range query of its
  ratio over the SLO window at each history step (the last step is ``now``:
  the SLO-window ratio).
- for calendar-aligned SLOs (OpenSLO), per group an error and a total query
  (or a ratio query) since the start of the current period;
- with ``backup_metric`` set, one query for the newest value of that gauge
  (a ``*_last_success_timestamp_seconds``) per ``backup_label`` value: when
  each service or data domain last backed up (cockpit.recovery judges it
  against the catalog's RPO).
So the count depends on expression shapes, not on the number of services.
The server's retention is read at most hourly, alongside the queries and
under its own short deadline, to warn when it is shorter than an SLO window
(cockpit.sources.prometheus.server_facts, as the backup ages). All of it goes
through cockpit.sources.prometheus.api.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence

from cockpit import calendar_windows, pyrra_rules
from cockpit.sources.prometheus import sloth_rules
from cockpit.config_schema import HttpUrl, show
from cockpit.durations import format_duration, prom_window
from cockpit.model import SLO, SourceData
from cockpit.promql import QueryGroup, group_slos, history_step, per_second, slo_templates
from cockpit.slo import BURN_WINDOWS, DEFAULT_MIN_EVENTS, budget_remaining, evaluate
from cockpit.slo_specs import DEFAULT_WINDOW, SLOSpecs, load_slo_paths, slo_files_signature
from cockpit.sources.base import CheckResult, OptionSpec, Source, SourceContext, SourceSpec
from cockpit.problems import Problem
from cockpit.sources.http import HTTP_OPTIONS
from cockpit.yamlfile import line_of
from cockpit.sources.prometheus.api import BadQuery, PrometheusAPI
from cockpit.sources.prometheus.server_facts import DEFAULT_BACKUP_LABEL, RetentionCheck, backup_ages
from cockpit.sources.prometheus.results import (SLOResult, budget_history, events_of, period_begins, period_events,
                                                place_history, ratio_events, rolling_events, scaled, split_instant,
                                                split_range)

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")


class PrometheusSource(Source):
    kind = "prometheus"
    provides = frozenset({"slos", "backups"})
    options = {
        "url": OptionSpec(HttpUrl, required=True, help="Prometheus base URL, e.g. http://prometheus:9090"),
        "slos": OptionSpec((str, list[str]), required=True, help="SLO files or folders"),
        **HTTP_OPTIONS,
        "min_events": OptionSpec((int, float), help="below this many events in a window: insufficient "
                                                     f"traffic (default {DEFAULT_MIN_EVENTS})"),
        "sloth_slo_period": OptionSpec(timedelta, help="the SLO period of Sloth specs, as sloth generate "
                                                       "--default-slo-period (default 30d)"),
        "pyrra_services": OptionSpec(dict, help="service of Pyrra SLOs without a pyrra.dev/service label, "
                                                "by NAMESPACE/NAME or NAMESPACE (default: the namespace)"),
        "backup_metric": OptionSpec(str, help="a gauge of each last successful backup's Unix time, e.g. "
                                              "backup_last_success_timestamp_seconds"),
        "backup_label": OptionSpec(str, help="its label naming the service or data domain (default "
                                             f"{DEFAULT_BACKUP_LABEL})"),
    }

    def __init__(self, spec: SourceSpec, context: SourceContext) -> None:
        super().__init__(spec, context)
        self.min_events = float(spec.options.get("min_events", DEFAULT_MIN_EVENTS))
        self._api: PrometheusAPI | None = None  # made by the first fetch that finds ca_file (if set)
        self._retention = RetentionCheck()
        # Parsed SLO files and query groups, kept until a file changes.
        self._specs: tuple[tuple, SLOSpecs] | None = None
        self._groups: dict[tuple[int, ...], list[QueryGroup]] = {}  # by the SLOs grouped
        self.queries_last_refresh = 0  # PromQL queries (instant + range) the last fetch sent

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        result = CheckResult()  # the url was checked with the config (OptionSpec HttpUrl)
        for option, rule, what in (("backup_metric", _METRIC_NAME, "a metric name"),
                                   ("backup_label", _LABEL_NAME, "a label name")):
            value = spec.options.get(option)
            if value is not None and not rule.match(value):
                result.problems.append(Problem(spec.config_file, line_of(spec.options, option) or spec.line,
                                               f"sources.{spec.name}.{option}",
                                               f"{show(value)} is not {what} (letters, digits and _)"))
        specs = _load(spec)
        result.problems.extend(specs.problems)
        result.refers.extend(specs.refers)
        return result

    async def fetch(self) -> SourceData:
        specs = self._load_specs()
        now = self.context.clock()
        if self._api is None:
            self._api = PrometheusAPI(self.spec)
        sent_before = self._api.sent
        retention_check = asyncio.ensure_future(self._retention.at(self._api, now))  # alongside the queries
        try:
            # Sloth records rolling, per-request ratios: not what time slices or calendar periods budget.
            results = await self._sloth([s for s in specs.slos if s.time_slice is None and s.calendar is None], now)
            rest = [slo for slo in specs.slos if id(slo) not in results]
            recorded = await self._pyrra([slo for slo in rest if slo.key in specs.pyrra], specs.pyrra, now)
            groups = self._query_groups([slo for slo in rest if id(slo) not in recorded])
            jobs = [(self._ratio_group if group.ratio else self._group)(group, now) for group in groups]
            # SLOs read from Pyrra's rules still need their (short, cheap) burn windows.
            jobs += [self._group(group, now, window=False)
                     for group in self._query_groups([slo for slo in rest if id(slo) in recorded])]
            for found in await asyncio.gather(*jobs):
                for key, result in found.items():
                    if key in recorded:
                        recorded[key].burn, recorded[key].warnings = result.burn, result.warnings
                    else:
                        results[key] = result
            results.update(recorded)
            await self._calendar(groups, results, now)
        except BaseException:
            retention_check.cancel()
            await asyncio.gather(retention_check, return_exceptions=True)
            raise
        retention, retention_unknown = await retention_check
        backups, backup_problem = await backup_ages(self._api, self.spec.options, self.name, now)
        self.queries_last_refresh = self._api.sent - sent_before

        statuses = []
        warnings = [f"not loaded: {problem}" for problem in specs.problems]  # what was refused is listed
        if backup_problem:
            warnings.append(backup_problem)
        if retention_unknown:
            warnings.append(retention_unknown)
        short = retention is not None and any(slo.window > retention for slo in specs.slos)
        if short:
            warnings.append(f"Prometheus keeps {format_duration(retention)} of data: less than some SLO windows")
        for slo in specs.slos:
            found = results.get(id(slo)) or SLOResult(
                warnings=["no PromQL for this SLO (needs error_query and total_query, or a raw error ratio)"])
            if short and slo.window > retention:
                found.warnings.append(f"Prometheus keeps {format_duration(retention)} of data, less than the "
                                      f"{format_duration(slo.window)} SLO window: the budget covers only that")
            min_events = self.min_events if found.min_events is None else found.min_events
            if slo.time_slice is not None and found.min_events is None:
                min_events = 1.0  # the events are time slices: one slice with data says something
            statuses.append(evaluate(slo, found.window, found.burn, policy=specs.policy, min_events=min_events,
                                     history=found.history, history_end=found.history_end,
                                     history_step=found.history_step, history_times=found.history_times,
                                     source=self.name, warnings=found.warnings))
        return SourceData(slos=tuple(statuses), policy=specs.policy, backups=backups, warnings=tuple(warnings))

    async def aclose(self) -> None:
        if self._api is not None:
            api, self._api = self._api, None
            await api.aclose()

    def _load_specs(self) -> SLOSpecs:
        """The SLO files, parsed again only when one changed."""
        signature = slo_files_signature(_slo_paths(self.spec))
        if self._specs is None or self._specs[0] != signature:
            self._specs, self._groups = (signature, _load(self.spec)), {}
        return self._specs[1]

    def _query_groups(self, slos: Sequence[SLO]) -> list[QueryGroup]:
        queried = [slo for slo in slos if slo_templates(slo)]
        key = tuple(id(slo) for slo in queried)
        if key not in self._groups:
            if len(self._groups) >= 4:  # the sets a refresh asks for; old ones are of older answers
                self._groups.clear()
            self._groups[key] = group_slos(queried)
        return self._groups[key]

    # --- Sloth recording rules ------------------------------------------------

    async def _sloth(self, slos: Sequence[SLO], now: datetime) -> dict[int, SLOResult]:
        if not slos:
            return {}
        try:
            ratios = sloth_rules.parse_ratios(await self._api.query(sloth_rules.ratio_query(slos), now))
        except BadQuery:
            return {}  # an engine that refuses the __name__ regex: raw queries it is
        found = [slo for slo in slos if sloth_rules.key_of(slo) in ratios]
        history: dict[sloth_rules.SlothKey, list[float | None]] = {}
        for window in sorted({slo.window for slo in found}):
            members = [slo for slo in found if slo.window == window]
            step = history_step(window)
            points = round(window / step)
            start = now - step * (points - 1)
            answer = await self._api.query_range(sloth_rules.budget_query(members), start, now, step)
            for key, samples in sloth_rules.parse_history(answer).items():
                grid: list[float | None] = [None] * points
                for timestamp, value in samples:
                    index = round((timestamp - start.timestamp()) / step.total_seconds())
                    if 0 <= index < points:
                        grid[index] = value
                history[key] = grid
        results = {}
        for slo in found:
            recorded = ratios[sloth_rules.key_of(slo)]
            result = results[id(slo)] = SLOResult(
                window=ratio_events(recorded.get(prom_window(slo.window))),
                burn={w: ratio_events(recorded.get(w)) for w in BURN_WINDOWS},
                min_events=0.0)  # recorded ratios carry no event counts to guard with
            place_history(result, history.get(sloth_rules.key_of(slo), []), now, history_step(slo.window))
        return results

    # --- Pyrra recording rules ------------------------------------------------

    async def _pyrra(self, slos: Sequence[SLO], recorded: dict[str, pyrra_rules.Recorded],
                     now: datetime) -> dict[int, SLOResult]:
        """The SLO window and budget history of the Pyrra SLOs whose recorded
        window counts are in Prometheus (burn windows left to the raw queries)."""
        if not slos:
            return {}
        try:
            answer = await self._api.query(pyrra_rules.query([recorded[slo.key] for slo in slos]), now)
        except BadQuery:
            return {}  # an engine that refuses the __name__ regex: raw queries it is
        samples = pyrra_rules.instant_samples(answer)
        found = {id(slo): (slo, events) for slo in slos
                 if (events := recorded[slo.key].events(samples)) is not None}
        results: dict[int, SLOResult] = {}
        for window in sorted({slo.window for slo, _ in found.values()}):
            members = [(slo, events) for slo, events in found.values() if slo.window == window]
            step = history_step(window)
            points = max(1, round(window / step))
            start = now - step * (points - 1)
            answer = await self._api.query_range(pyrra_rules.query([recorded[slo.key] for slo, _ in members]),
                                                 start, now, step)
            grid = pyrra_rules.range_samples(answer, start.timestamp(), step.total_seconds(), points)
            for slo, events in members:
                rolling = [recorded[slo.key].events(step_samples) for step_samples in grid]
                result = results[id(slo)] = SLOResult(window=events)
                place_history(result, budget_history(rolling, slo.objective, self.min_events), now, step)
        return results

    # --- raw event queries ----------------------------------------------------

    async def _group(self, group: QueryGroup, now: datetime, *, window: bool = True) -> dict[int, SLOResult]:
        """The burn windows and, unless ``window`` is False, the SLO window
        and budget history of a query group."""
        results = {id(slo): SLOResult() for slo in group.slos}
        windows = sorted({slo.window for slo in group.slos}) if window else []
        try:
            burns, ranges = await asyncio.gather(
                asyncio.gather(*(self._pair(group, w, now) for w in BURN_WINDOWS.values())),
                asyncio.gather(*(self._range_pair(group, w, now) for w in windows)))
        except BadQuery as error:
            for result in results.values():
                result.warnings.append(str(error))
            return results
        for name, (errors, totals) in zip(BURN_WINDOWS, burns):
            for value, slos in group.members.items():
                events = events_of(errors.get(value), totals.get(value))
                for slo in slos:
                    results[id(slo)].burn[name] = events
        for window, (errors, totals, points) in zip(windows, ranges):
            for value, slos in group.members.items():
                rolling = rolling_events(errors.get(value), totals.get(value), points)
                for slo in (s for s in slos if s.window == window):
                    result = results[id(slo)]
                    found = rolling if slo.calendar is None else period_events(  # each point since its period began
                        errors.get(value), totals.get(value), points,
                        period_begins(slo.calendar, now, history_step(window), points))
                    result.window = found[-1]
                    # The range query's last step is at ``now``.
                    place_history(result, budget_history(found, slo.objective, self.min_events), now,
                                  history_step(window))
        return results

    async def _pair(self, group: QueryGroup, window: timedelta, now: datetime):
        """Error and total counts over ``window``, per member label value."""
        errors, totals = await asyncio.gather(self._api.query(group.error_query(window), now),
                                              self._api.query(group.total_query(window), now))
        seconds = window.total_seconds()
        return (scaled(split_instant(group, errors), seconds if per_second(group.error_template) else 1.0),
                scaled(split_instant(group, totals), seconds if per_second(group.total_template) else 1.0))

    async def _range_pair(self, group: QueryGroup, window: timedelta, now: datetime):
        """Counts per step over two SLO windows, so that every history point
        in the last window has a whole window of steps behind it."""
        step = history_step(window)
        points = max(1, round(window / step))
        start = now - step * (2 * points - 2)
        errors, totals = await asyncio.gather(self._api.query_range(group.error_query(step), start, now, step),
                                              self._api.query_range(group.total_query(step), start, now, step))
        origin, seconds = round(start.timestamp()), step.total_seconds()

        def grids(answer: list[dict], template: str) -> dict[str, list[float]]:
            scale = seconds if per_second(template) else 1.0
            return {value: [v * scale for v in grid]
                    for value, grid in split_range(group, answer, origin, seconds, 2 * points - 1).items()}

        return grids(errors, group.error_template), grids(totals, group.total_template), points

    async def _ratio_group(self, group: QueryGroup, now: datetime) -> dict[int, SLOResult]:
        """Sloth raw SLIs: the query gives the error ratio itself. Each window's
        figure is the query rendered for that window, so it is exactly the
        SLI the spec defines; the history's points are the SLO-window ratio
        at each step. With no event counts the low-traffic guard cannot
        apply (0/0 is NaN, shown as no data)."""
        results = {id(slo): SLOResult(min_events=0.0) for slo in group.slos}
        windows = sorted({slo.window for slo in group.slos})
        try:
            burns, ranges = await asyncio.gather(
                asyncio.gather(*(self._api.query(group.ratio_query(w), now) for w in BURN_WINDOWS.values())),
                asyncio.gather(*(self._ratio_range(group, w, now) for w in windows)))
        except BadQuery as error:
            for result in results.values():
                result.warnings.append(str(error))
            return results
        for name, answer in zip(BURN_WINDOWS, burns):
            ratios = split_instant(group, answer)
            for value, slos in group.members.items():
                for slo in slos:
                    results[id(slo)].burn[name] = ratio_events(ratios.get(value))
        for window, grids in zip(windows, ranges):
            for value, slos in group.members.items():
                grid = grids.get(value) or [None]
                for slo in (s for s in slos if s.window == window):
                    result = results[id(slo)]
                    result.window = ratio_events(grid[-1])
                    budgets = budget_history([ratio_events(r) for r in grid], slo.objective, 0.0)
                    place_history(result, budgets, now, history_step(window))
        if group.time_averaged:  # the one approximation: an instant ratio has no counts to weight by
            for result in results.values():
                result.warnings.append("raw error-ratio SLI without {{.window}}: each window's ratio is the "
                                       "average over time of its instant value (sampled 300 times per window, "
                                       "at most every 30s), not weighted by traffic")
        return results

    async def _ratio_range(self, group: QueryGroup, window: timedelta, now: datetime) -> dict[str, list[float]]:
        """The SLO-window ratio at each history step over one window, ending at ``now``."""
        step = history_step(window)
        points = max(1, round(window / step))
        start = now - step * (points - 1)
        answer = await self._api.query_range(group.ratio_query(window), start, now, step)
        return split_range(group, answer, round(start.timestamp()), step.total_seconds(), points)

    # --- calendar-aligned periods ---------------------------------------------

    async def _calendar(self, groups: Sequence[QueryGroup], results: dict[int, SLOResult], now: datetime) -> None:
        """Calendar-aligned SLOs (OpenSLO) budget from the start of their
        current period: per query group, one error and one total query (or one
        ratio query) per distinct time since a period start, so SLOs of any
        number of services sharing a calendar share the queries. Their
        history (from the range pair, in _group) is the budget since the start
        of the period each point falls in."""
        jobs = []
        for group in groups:
            spans: dict[timedelta, list[tuple[str, SLO]]] = {}
            for value, slos in group.members.items():
                for slo in slos:
                    if slo.calendar is not None:
                        spans.setdefault(calendar_windows.elapsed(slo.calendar, now), []).append((value, slo))
            jobs.extend(self._since_start(group, span, members, results, now) for span, members in spans.items())
        await asyncio.gather(*jobs)

    async def _since_start(self, group: QueryGroup, span: timedelta, members: list[tuple[str, SLO]],
                           results: dict[int, SLOResult], now: datetime) -> None:
        try:
            if group.ratio:
                ratios = split_instant(group, await self._api.query(group.ratio_query(span), now))
                found = {value: ratio_events(ratios.get(value)) for value, _ in members}
            else:
                errors, totals = await self._pair(group, span, now)
                found = {value: events_of(errors.get(value), totals.get(value)) for value, _ in members}
        except BadQuery as error:
            for _, slo in members:
                results[id(slo)].warnings.append(str(error))
            return
        for value, slo in members:
            result = results[id(slo)]
            result.window = events = found[value]
            if group.ratio:  # rolling ratios cannot be summed from a period's start: no history
                result.history, result.history_end, result.history_step, result.history_times = (), None, None, ()
            elif result.history and result.history_end == now and events is not None and events.ratio is not None:
                # The history's steps put a period's start within a step; its last point is now, exactly.
                result.history = (*result.history[:-1], budget_remaining(events.ratio, slo.objective))


def _load(spec: SourceSpec) -> SLOSpecs:
    pyrra_services = spec.options.get("pyrra_services") or {}
    return load_slo_paths(_slo_paths(spec), sloth_period=spec.options.get("sloth_slo_period") or DEFAULT_WINDOW,
                          pyrra_services={str(k): str(v) for k, v in pyrra_services.items()})


def _slo_paths(spec: SourceSpec) -> list[Path]:
    paths = spec.options.get("slos") or []
    return [spec.path(str(p)) for p in ([paths] if isinstance(paths, str) else paths)]
