"""The hub: runs every source, keeps each one's last good result, merges
them into immutable snapshots, and is the only way writes reach a source.

Per source: never two refreshes at once (a second request joins the running
one), a timeout around each attempt, the one retry policy, and a circuit
breaker. A failing source keeps its last good data (marked stale) and never
delays or breaks the others. Periodic loops re-arm only after the previous
refresh finished, so a slow backend is never hit by overlapping requests.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime
from operator import itemgetter
from typing import Awaitable, Callable, Sequence, TypeVar

from cockpit.alert_owners import Owners
from cockpit.alerts import Silence
from cockpit.audit import AuditLog
from cockpit.capabilities import Capabilities
from cockpit.config import Config, source_context
from cockpit.durations import format_duration, format_seconds
from cockpit.hub_merge import MERGED, first_of_each_name, joined_to_owners, shared
from cockpit.model import Incident, Snapshot, SourceData, SourceHealth
from cockpit.resilience import OPEN, CircuitBreaker, Monotonic, RetryPolicy, Sleep
from cockpit.sources import load_kind
from cockpit.sources.base import Source, SourceContext, SourceError, TransientSourceError
from cockpit.writes import Action, ActionResult
from cockpit.secrets import redact
from cockpit.untrusted import clean

log = logging.getLogger(__name__)

Subscriber = Callable[[Snapshot], object]
READ_ONLY_REFUSAL = "refused: read-only mode"
T = TypeVar("T")


@dataclass
class _SourceState:
    source: Source
    breaker: CircuitBreaker
    data: SourceData | None = None  # last good result
    fetched_at: datetime | None = None  # when it was fetched
    error: str = ""  # why the last refresh failed ("" after a success)
    attempted: bool = False
    running: asyncio.Task | None = None  # the refresh in flight, joined by later requests
    # data.incidents in snapshot order, with their sort keys, for the incidents they were made from:
    # sorted once per change, not on every publish (any source's refresh publishes).
    ordered: tuple[tuple[Incident, ...] | None, list[tuple[tuple, Incident]]] = (None, [])
    # ordered[1] again with each alert's owner joined from the catalog: ((the Owners,
    # the ordered list it was made from), the result, {id(incident): (incident, joined)}).
    owned: tuple[tuple, list[tuple[tuple, Incident]], dict] = ((None, None), [], {})


class Hub:
    def __init__(
        self,
        sources: Sequence[Source],
        *,
        clock: Callable[[], datetime],
        read_only: bool = False,
        audit: AuditLog | None = None,
        user: str = "",
        retry: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self.read_only = read_only
        self.user = user
        self._clock = clock
        self._audit = audit
        self._retry = retry
        self._sleep = sleep
        self._states: dict[str, _SourceState] = {}
        for source in sources:
            if source.name in self._states:
                raise ValueError(f"two sources are named {source.name!r}")
            self._states[source.name] = _SourceState(source, CircuitBreaker(clock=monotonic))
        self._subscribers: list[Subscriber] = []
        self._owners: tuple[tuple, Owners] | None = None  # (the catalog's services, their claims)
        self._loops: list[asyncio.Task] = []

    @classmethod
    def from_config(cls, config: Config, clock: Callable[[], datetime], *, read_only: bool | None = None) -> "Hub":
        """A hub over every source in ``config``; ``read_only`` (when given)
        overrides the config's. A source whose plugin cannot be loaded or
        built shows up failing with the reason, not as a crash."""
        if read_only is not None and read_only != config.read_only:
            config = replace(config, read_only=read_only)
        context = source_context(config, clock)
        sources = [_instantiate(spec, context) for spec in config.sources]
        audit = AuditLog(config.audit_log, clock, config.file_access)
        return cls(sources, clock=clock, read_only=config.read_only, audit=audit, user=config.user)

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(state.source for state in self._states.values())

    # -- reading ---------------------------------------------------------

    async def refresh_all(self) -> Snapshot:
        """Fetch every source once, concurrently; return the new snapshot."""
        await asyncio.gather(*(self._refresh(state) for state in self._states.values()))
        return self._publish()

    async def refresh(self, name: str) -> Snapshot:
        """Fetch one source now (or join its refresh already running)."""
        await self._refresh(self._states[name])
        return self._publish()

    async def refresh_now(self) -> Snapshot:
        """ctrl+r: fetch every source at once, trying even what an open
        circuit breaker (the source's, or one instance's) would skip for
        minutes: the user asked, and the backend may be back."""
        for state in self._states.values():
            state.breaker.try_now()
            state.source.retry_now()
        return await self.refresh_all()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(snapshot)`` after every refresh; returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def start(self) -> None:
        """Start one periodic loop per source (call from a running event loop)."""
        if not self._loops:
            self._loops = [asyncio.create_task(self._loop(state), name=f"cockpit-refresh-{name}")
                           for name, state in self._states.items()]
            self._loops += [asyncio.create_task(self._watch(state), name=f"cockpit-watch-{name}")
                            for name, state in self._states.items() if state.source.live]

    async def stop(self) -> None:
        """Stop the loops and any refresh still running."""
        tasks = self._loops + [s.running for s in self._states.values() if s.running is not None]
        self._loops = []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        await self.stop()
        for state in self._states.values():
            try:
                await state.source.aclose()
            except Exception:  # closing must not stop the others from closing
                log.exception("closing source %s", state.source.name)

    def snapshot(self) -> Snapshot:
        """Every source's last good data, merged, with each source's health."""
        merged: dict[str, list] = {key: [] for key in MERGED if key not in ("incidents", "services")}
        for state in self._states.values():
            if state.data is not None:
                for key in merged:
                    merged[key].extend(getattr(state.data, key))
        merged["services"], repeated = first_of_each_name(self._states)
        owners = self._owners_of(tuple(merged["services"]))
        # What sorting every source's incidents together gives (ties stay in source order).
        runs = [joined_to_owners(state, owners) for state in self._states.values() if state.data is not None]
        merged["incidents"] = [incident for _, incident in heapq.merge(*runs, key=itemgetter(0))]
        return Snapshot(
            taken_at=self._clock(),
            **{key: tuple(items) for key, items in merged.items()},
            sources=tuple(self._health(state, repeated.get(name, ())) for name, state in self._states.items()),
            read_only=self.read_only,
        )

    def _owners_of(self, services: tuple) -> Owners | None:
        """The catalog's alert claims, rebuilt only when the catalog changes;
        None without a catalog: nothing to join alerts to."""
        if not services:
            return None
        if self._owners is None or self._owners[0] != services:
            self._owners = (services, Owners(services))
        return self._owners[1]

    # -- writing ---------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """What each source takes and lists, for the UI to offer only what can work."""
        sources = self.sources
        return Capabilities(actions={s.name: s.actions for s in sources}, lists={s.name: s.lists for s in sources},
                            read_only=self.read_only, user=self.user)

    def can(self, action_name: str, source_name: str | None = None) -> bool:
        """Is ``action_name`` possible: not read-only, and the named source
        (or, with no name, some source) supports it."""
        return self.capabilities.can(action_name, source_name)

    async def list_silences(self) -> tuple[tuple[Silence, ...], tuple[str, ...]]:
        """Every silence of every source listing them, each under its
        timeout, the retry policy and its breaker, as fetches are:
        (the silences, one problem per source that failed)."""
        found: list[Silence] = []
        problems: list[str] = []
        for state in self._states.values():
            if "silences" not in state.source.lists:
                continue
            try:
                found.extend(await self._retry.run(
                    lambda state=state: self._guarded(state, state.source.list_silences, tuple), sleep=self._sleep))
            except _BreakerOpen:
                problems.append(f"{state.source.name}: {_breaker_open_text(state)}")
            except SourceError as error:
                problems.append(f"{state.source.name}: {redact(clean(error, single_line=True))}")
        return tuple(found), tuple(problems)

    async def perform(self, source_name: str, action: Action) -> ActionResult:
        """Send ``action`` to its source, unless read-only or unsupported;
        every attempt, refused or not, is audited; the source is refreshed
        afterwards so the change shows at once."""
        state = self._states.get(source_name)
        called = False
        if self.read_only:
            result = ActionResult(False, READ_ONLY_REFUSAL)
        elif state is None:
            result = ActionResult(False, f"refused: no source named {source_name!r}")
        elif action.name not in state.source.actions:
            result = ActionResult(False, f"refused: {source_name} does not support {action.name!r}")
        else:
            called = True
            result = await self._call(state, action)
            result = replace(result, message=redact(result.message))  # a backend may echo credentials
        result = self._audit_write(source_name, action, result)
        if called:
            await self.refresh(source_name)
        return result

    # -- internals -------------------------------------------------------

    async def _loop(self, state: _SourceState) -> None:
        interval = state.source.spec.refresh.total_seconds()
        while True:
            await self._refresh(state)
            self._publish()
            await self._sleep(interval)

    async def _watch(self, state: _SourceState) -> None:
        """A live source: fetch as soon as it says its data changed."""
        while True:
            try:
                await state.source.changed()
            except Exception:  # a broken watch must not spin: the periodic loop still refreshes
                log.exception("watching for changes failed", extra={"source": state.source.name})
                await self._sleep(state.source.spec.refresh.total_seconds())
                continue
            await self._refresh(state)
            self._publish()

    async def _refresh(self, state: _SourceState) -> None:
        if state.running is None or state.running.done():
            state.running = asyncio.create_task(self._fetch(state))
        # shield: a caller giving up (cancelled) must not cancel a refresh others wait for.
        await asyncio.shield(state.running)

    async def _fetch(self, state: _SourceState) -> None:
        """One refresh: attempts under the retry policy; records the outcome."""
        try:
            data = await self._retry.run(lambda: self._attempt(state), sleep=self._sleep)
        except SourceError:
            # _attempt recorded why (a skip by the open breaker keeps the error that opened it).
            state.attempted = True
            return
        if state.error:
            log.info("fetch recovered", extra={"source": state.source.name})
        state.data, state.fetched_at, state.error, state.attempted = (shared(state.data, data), self._clock(), "",
                                                                      True)

    async def _attempt(self, state: _SourceState) -> SourceData:
        """One fetch through the breaker and the per-source timeout; every
        failure is recorded on ``state`` and comes out as a SourceError."""
        try:
            return await self._guarded(state, state.source.fetch, SourceData)
        except _BreakerOpen:
            raise  # skipped: the error that opened the breaker stays recorded
        except SourceError as error:
            state.error = redact(clean(error, single_line=True)) or error.__class__.__name__
            log.warning("fetch failed: %s", state.error, extra={"source": state.source.name})
            raise

    async def _guarded(self, state: _SourceState, call: Callable[[], Awaitable[T]], returns: type[T]) -> T:
        """``call()`` through the source's breaker and timeout; whatever goes
        wrong (a bug in the source included) comes out as a SourceError."""
        breaker, source = state.breaker, state.source
        if not breaker.allow():
            raise _BreakerOpen(state.error)
        timeout = source.spec.timeout.total_seconds()
        try:
            async with asyncio.timeout(timeout):
                result = await call()
            if not isinstance(result, returns):
                raise SourceError(f"{source.name} returned {type(result).__name__}, not {returns.__name__}")
        except TimeoutError:
            error: SourceError = TransientSourceError(f"timed out after {format_seconds(timeout)}")
        except SourceError as raised:
            error = raised
        except Exception as raised:  # a bug in a source must not take the hub down
            log.exception("source call failed with an internal error", extra={"source": source.name})
            error = SourceError(f"internal error in source: {raised.__class__.__name__}")
        else:
            breaker.record_success()
            return result
        breaker.record_failure()
        raise error

    async def _call(self, state: _SourceState, action: Action) -> ActionResult:
        """A write: one try (writes are not idempotent), under the source's timeout."""
        timeout = state.source.spec.timeout.total_seconds()
        try:
            async with asyncio.timeout(timeout):
                result = await state.source.perform(action)
        except TimeoutError:
            return ActionResult(False, f"timed out after {format_seconds(timeout)}; the write may or may not "
                                "have happened")
        except SourceError as error:
            return ActionResult(False, clean(error, single_line=True))
        except Exception as error:
            log.exception("action failed with an internal error",
                          extra={"source": state.source.name, "action": action.name})
            return ActionResult(False, f"internal error in source: {error.__class__.__name__}")
        if not isinstance(result, ActionResult):
            return ActionResult(False, f"source returned {type(result).__name__}, not ActionResult")
        return result

    def _audit_write(self, source_name: str, action: Action, result: ActionResult) -> ActionResult:
        if self._audit is None:
            return result
        outcome = ("ok" if result.ok else "failed") + (f": {result.message}" if result.message else "")
        try:
            self._audit.append(user=self.user, action=action.name, target=action.target or result.target,
                               source=source_name, result=outcome)
        except OSError as error:
            log.error("audit log %s not written: %s", self._audit.path, error)
            note = f"WARNING: audit log not written ({error.strerror or error})"
            return ActionResult(result.ok, f"{result.message}; {note}" if result.message else note, result.target)
        return result

    def _health(self, state: _SourceState, left_out: Sequence[str] = ()) -> SourceHealth:
        """``left_out``: warnings about what the merge left out of this
        source's data (a service another source defines already)."""
        source = state.source
        error = state.error
        if not state.attempted:
            status, error = "loading", "not fetched yet"
        elif state.error:
            status = "failing"
            if state.breaker.state == OPEN:
                error = _breaker_open_text(state)
        else:
            status = "degraded" if state.data is not None and (state.data.warnings or left_out) else "ok"
        return SourceHealth(
            name=source.name,
            kind=source.kind,
            state=status,
            error=error,
            fetched_at=state.fetched_at,
            stale=bool(state.error) and state.data is not None,
            breaker=state.breaker.state,
            read_only=self.read_only or not source.actions,
            demo=source.demo,
            warnings=(tuple(map(redact, state.data.warnings)) if state.data is not None else ()) + tuple(left_out),
            provides=tuple(sorted(source.provides)),
        )

    def _publish(self) -> Snapshot:
        snapshot = self.snapshot()
        for callback in list(self._subscribers):
            try:
                callback(snapshot)
            except Exception:  # one broken subscriber must not stop the others or the loop
                log.exception("snapshot subscriber failed")
        return snapshot


def _breaker_open_text(state: _SourceState) -> str:
    return (f"circuit breaker open, next try in {format_duration(state.breaker.retry_in())} "
            f"(ctrl+r tries now); last error: {state.error}")


class _BreakerOpen(SourceError):
    """The breaker refused the attempt (not retryable: it stays open for minutes)."""


class _UnavailableSource(Source):
    """Stands in for a source whose plugin could not be loaded or built, so
    the failure shows as that source's error instead of stopping the cockpit."""

    def __init__(self, spec, context, reason: str) -> None:
        super().__init__(spec, context)
        self.kind = spec.kind
        self._reason = reason

    async def fetch(self) -> SourceData:
        raise SourceError(self._reason)


def _instantiate(spec, context: SourceContext) -> Source:
    try:
        cls = load_kind(spec.kind)
    except KeyError:
        return _UnavailableSource(spec, context, f"no source kind {spec.kind!r} is installed")
    except Exception as error:
        log.exception("loading source kind %s", spec.kind)
        return _UnavailableSource(spec, context, f"cannot load source kind {spec.kind!r}: "
                                  f"{error.__class__.__name__}: {error}")
    try:
        return cls(spec, context)
    except SourceError as error:
        return _UnavailableSource(spec, context, str(error))
    except Exception as error:
        log.exception("creating source %s", spec.name)
        return _UnavailableSource(spec, context, f"cannot start: {error.__class__.__name__}")
