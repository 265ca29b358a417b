"""Load and validate the cockpit's YAML config; errors name file, line and key.

Resolution order: --config PATH, $COCKPIT_CONFIG, ./cockpit.yaml, the user
config dir's cockpit/cockpit.yaml, the bundled demo (package data: cockpit.bundled).

Every problem is collected (never only the first) so one `cockpit check` run
lists everything to fix. ${VAR} expansion and the option validator live in
cockpit.config_schema.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping

import platformdirs

from cockpit import secrets
from cockpit.keymap_ids import BINDING_IDS
from cockpit.bundled import DEMO_CONFIG
from cockpit.doc_settings import DEFAULT_REVIEW_EVERY, DocSettings
from cockpit.model import frozen_map
from cockpit.config_schema import expand_env, join_key, show, validate_mapping
from cockpit.oncall_health import OncallSettings
from cockpit.oncall_settings import parse_oncall
from cockpit.private_files import OWNER_ONLY, FileAccess, group_id
from cockpit.problems import Problem
from cockpit.sources import installed_kinds, load_kind
from cockpit.sources.base import OptionSpec, SourceContext, SourceSpec
from cockpit.untrusted import clean
from cockpit.yamlfile import LineDict, YamlError, line_of, load_yaml_file, yaml_shape

BUNDLED_CONFIG = DEMO_CONFIG
CONFIG_ENV_VAR = "COCKPIT_CONFIG"
DEFAULT_TIMEOUT = timedelta(seconds=10)


class ConfigError(Exception):
    """The config (or a file it names) is broken; ``problems`` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Config:
    path: Path  # the config file that was loaded
    refresh: timedelta = timedelta(seconds=30)
    read_only: bool = False
    sources: tuple[SourceSpec, ...] = ()
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys
    user: str = ""  # who the audit log and notes name
    data_dir: Path = Path(".")  # per-user state: incident log, onboarding progress
    audit_log: Path = Path("audit.jsonl")
    postmortems: Path = Path("postmortems")
    review_every: timedelta = timedelta(days=7)  # runbook default, seed: weekly
    file_access: FileAccess = OWNER_ONLY  # who may read the incident log, drafts and audit log
    theme: str = ""  # the app's theme ("" Textual's default); a palette choice is remembered over it
    docs: DocSettings = DocSettings()  # documentation freshness (`docs:`)
    oncall: OncallSettings = OncallSettings()  # shifts and working hours of the On-call view


# --- where the config comes from -------------------------------------------

def resolve_config_path(cli_path: str | None, env: Mapping[str, str] = os.environ,
                        cwd: Path | None = None) -> Path:
    """The config file to load: the first of --config, $COCKPIT_CONFIG,
    ./cockpit.yaml, <user config dir>/cockpit.yaml, the bundled default.
    Explicit choices are returned even when missing, so the loader can say so."""
    if cli_path:
        return Path(cli_path).expanduser()
    if env.get(CONFIG_ENV_VAR):
        return Path(env[CONFIG_ENV_VAR]).expanduser()
    local = (cwd or Path.cwd()) / "cockpit.yaml"
    if local.is_file():
        return local
    user = Path(platformdirs.user_config_dir("cockpit")) / "cockpit.yaml"
    if user.is_file():
        return user
    return BUNDLED_CONFIG


# --- the config file --------------------------------------------------------

TOP_LEVEL: dict[str, OptionSpec] = {
    "refresh": OptionSpec(timedelta, help="default refresh interval of every source"),
    "read_only": OptionSpec(bool, help="refuse every write"),
    "sources": OptionSpec(list, required=True, help="a list like [{kind: catalog, path: services.yaml}]"),
    "user": OptionSpec(str, help="who notes and the audit log name; default $USER"),
    "audit_log": OptionSpec(str, help="JSON-lines file every action is appended to"),
    "postmortems": OptionSpec(str, help="folder for postmortem drafts"),
    "review_every": OptionSpec(timedelta, help="runbook review cadence"),
    "data_dir": OptionSpec(str, help="per-user state: incident log, onboarding progress"),
    "keymap": OptionSpec(dict, help="binding id -> key, e.g. {quit: ctrl+q}"),
    "theme": OptionSpec(str, help="the app's theme: any ctrl+p offers, e.g. monochrome, textual-light"),
    "oncall": OptionSpec(dict, help="shifts and working hours for on-call health, e.g. "
                                    '{time_zone: Europe/Berlin, working_hours: "09:00-17:00", handoff: "mon 09:00"}'),
    "file_group": OptionSpec(str, help="group that may read and write the incident log, drafts and audit log "
                                       "(default: only you)"),
    "docs": OptionSpec(dict, help="documentation freshness, per kind: {postmortems: {review_every: monthly}, "
                                  "onboarding: {owner: '@sre-team', last_validated: 2026-11-01}}"),
}
# `docs:`, per document kind (cockpit.doc_freshness): each kind's review cadence,
# and the owner and last validated date of the onboarding checklist, which
# lives in the cockpit rather than in a file of its own.
_CADENCE = OptionSpec(timedelta, help="how often it is reviewed: 30d, monthly, quarterly ...")
DOCS: dict[str, dict[str, OptionSpec]] = {
    "postmortems": {"review_every": _CADENCE},
    "onboarding": {"review_every": _CADENCE, "owner": OptionSpec(str, help="who keeps the checklist current"),
                   "last_validated": OptionSpec(date, help="the day it was last checked, YYYY-MM-DD")},
    "adrs": {"review_every": _CADENCE},
}
SOURCE_COMMON: dict[str, OptionSpec] = {
    "kind": OptionSpec(str, required=True, help="the source kind"),
    "name": OptionSpec(str, help="defaults to the kind"),
    "refresh": OptionSpec(timedelta),
    "timeout": OptionSpec(timedelta),
}


def load_config(path: Path, *, env: Mapping[str, str] = os.environ, read_only: bool = False) -> Config:
    """Load and validate ``path``; raise ConfigError listing every problem.
    ``read_only`` (the CLI's --read-only) forces read-only mode on."""
    config, problems = parse_config(path, env=env)
    if problems or config is None:
        raise ConfigError(problems)
    return replace(config, read_only=config.read_only or read_only)


def parse_config(path: Path, *, env: Mapping[str, str] = os.environ) -> tuple[Config | None, list[Problem]]:
    """Every problem, plus a Config of the parts that are valid (None when the
    file cannot be read at all), so `cockpit check` can go on to check the
    files of the sources that were configured correctly."""
    file = str(path)
    try:
        data = load_yaml_file(path)
    except YamlError as exc:
        return None, [exc.problem]
    if data is None:
        return None, [Problem(file, 1, "(file)", "empty config: expected settings such as "
                                                 "`sources: [{kind: catalog, path: services.yaml}]`")]
    if not isinstance(data, dict):
        return None, [Problem(file, getattr(data, "line", 1), "(file)",
                              f"expected a mapping of settings at the top level, got {yaml_shape(data)}")]
    problems = expand_env(data, env, file)
    unset = {p.key for p in problems}  # sources using them are left out, not half-configured
    top, found = validate_mapping(data, TOP_LEVEL, file=file)
    problems += found
    base_dir = path.expanduser().resolve().parent
    refresh = _positive(top, "refresh", timedelta(seconds=30), file, "", problems)
    sources = _parse_sources(data.get("sources"), top, refresh, base_dir, file, problems, unset)
    data_dir = _path(top, "data_dir", base_dir) or Path(platformdirs.user_data_dir("cockpit"))
    keymap = _keymap(top.get("keymap", {}), file, problems)
    config = Config(
        path=path,
        refresh=refresh,
        read_only=top.get("read_only", False),
        sources=tuple(sources),
        keymap=keymap,
        user=top.get("user") or env.get("USER") or _login_name(),
        data_dir=data_dir,
        audit_log=_path(top, "audit_log", base_dir) or data_dir / "audit.jsonl",
        # Drafts are the user's, not the checkout's: beside the incident log unless the config names a folder.
        postmortems=_path(top, "postmortems", base_dir) or data_dir / "postmortems",
        review_every=_positive(top, "review_every", timedelta(days=7), file, "", problems),
        file_access=_file_access(data, top, file, problems),
        theme=top.get("theme", ""),
        docs=_docs(top.get("docs", {}), file, problems),
        oncall=_oncall(top, file, problems),
    )
    return config, problems


def _parse_sources(raw: Any, top: LineDict, refresh: timedelta, base_dir: Path, file: str,
                   problems: list[Problem], unset: set[str]) -> list[SourceSpec]:
    if "sources" not in top:  # missing or wrong type: already reported
        return []
    specs: list[SourceSpec] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        key = join_key("sources", index)
        line = line_of(raw, index)
        if not isinstance(entry, dict):
            problems.append(Problem(file, line, key, f"expected a mapping like {{kind: catalog, path: "
                                                     f"services.yaml}}, got {yaml_shape(entry)}"))
            continue
        spec = _parse_source(entry, key, refresh, base_dir, file, problems)
        if spec is None or any(k.startswith(key + ".") for k in unset):
            continue
        if spec.name in seen:
            problems.append(Problem(file, spec.line, join_key(key, "name"),
                                    f"duplicate source name {spec.name!r} (also at line {seen[spec.name]}); "
                                    "give one of them a distinct `name:`"))
            continue
        seen[spec.name] = spec.line
        specs.append(spec)
    return specs


def _parse_source(entry: LineDict, key: str, refresh: timedelta, base_dir: Path, file: str,
                  problems: list[Problem]) -> SourceSpec | None:
    """One source entry, validated against its class's options; None if broken."""
    before = len(problems)
    kind = entry.get("kind")
    options_spec = _options_of(kind, entry, key, file, problems) if isinstance(kind, str) else None
    if options_spec is None:  # still report what is wrong with the common keys
        kinds = OptionSpec(str, required=True, help="installed: " + ", ".join(sorted(installed_kinds())))
        _, found = validate_mapping(entry, {**SOURCE_COMMON, "kind": kinds}, file=file, key=key,
                                    ignore=frozenset(entry) - set(SOURCE_COMMON))
        problems += found
        return None
    values, found = validate_mapping(entry, {**SOURCE_COMMON, **options_spec}, file=file, key=key)
    problems += found
    options = LineDict((k, v) for k, v in values.items() if k not in SOURCE_COMMON)
    options.line, options.key_lines = values.line, values.key_lines
    secrets.add_from_options(options)  # from now on no message of this process may show them
    spec = SourceSpec(
        kind=kind,
        name=values.get("name") or kind,
        refresh=_positive(values, "refresh", refresh, file, key, problems),
        timeout=_positive(values, "timeout", DEFAULT_TIMEOUT, file, key, problems),
        options=options,
        base_dir=base_dir,
        config_file=file,
        line=entry.line,
    )
    return spec if len(problems) == before else None


def _options_of(kind: str, entry: LineDict, key: str, file: str,
                problems: list[Problem]) -> Mapping[str, OptionSpec] | None:
    line = line_of(entry, "kind")
    kinds = installed_kinds()
    if kind not in kinds:
        problems.append(Problem(file, line, join_key(key, "kind"),
                                f"unknown source kind {clean(kind)!r} (installed: {', '.join(sorted(kinds))})"))
        return None
    try:
        return load_kind(kind).options
    except Exception as exc:  # a broken plugin must not break the config
        problems.append(Problem(file, line, join_key(key, "kind"),
                                f"source kind {kind!r} is installed but cannot be loaded: "
                                f"{type(exc).__name__}: {clean(exc, single_line=True)}"))
        return None


def _positive(values: Mapping, name: str, default: timedelta, file: str, key: str,
              problems: list[Problem]) -> timedelta:
    value = values.get(name, default)
    if value <= timedelta(0):
        problems.append(Problem(file, line_of(values, name), join_key(key, name), "must be longer than 0s"))
        return default
    return value


def _path(values: Mapping, name: str, base_dir: Path) -> Path | None:
    if not values.get(name):
        return None
    p = Path(values[name]).expanduser()
    return p if p.is_absolute() else base_dir / p


def _keymap(raw: Mapping, file: str, problems: list[Problem]) -> dict[str, str]:
    keymap = {}
    for binding, keys in raw.items():
        if isinstance(binding, str) and binding not in BINDING_IDS:
            problems.append(Problem(file, line_of(raw, binding), join_key("keymap", clean(binding)),
                                    f"unknown binding id {show(binding)}; valid ids: {', '.join(sorted(BINDING_IDS))}"))
        elif isinstance(binding, str) and isinstance(keys, str) and keys.strip():
            keymap[binding] = keys
        else:
            problems.append(Problem(file, line_of(raw, binding), join_key("keymap", clean(binding)),
                                    f"expected binding-id: key (e.g. cockpit.quit: ctrl+q), got {show(keys)}"))
    return keymap


def _docs(raw: Mapping, file: str, problems: list[Problem]) -> DocSettings:
    """The `docs:` section: a mapping per kind, each checked against DOCS."""
    kinds, found = validate_mapping(raw, {kind: OptionSpec(dict) for kind in DOCS}, file=file, key="docs")
    problems += found
    settings: dict[str, Mapping] = {}
    every: dict[str, timedelta] = {}
    for kind, entry in kinds.items():
        key = join_key("docs", kind)
        settings[kind], found = validate_mapping(entry, DOCS[kind], file=file, key=key)
        problems += found
        if "review_every" in settings[kind]:
            every[kind] = _positive(settings[kind], "review_every", DEFAULT_REVIEW_EVERY[kind], file, key, problems)
    onboarding = settings.get("onboarding", {})
    validated = onboarding.get("last_validated")
    return DocSettings(
        review_every=frozen_map(every),
        onboarding_owner=onboarding.get("owner", "").strip(),
        onboarding_last_validated=validated.date() if isinstance(validated, datetime) else validated,
    )
def _oncall(top: LineDict, file: str, problems: list[Problem]) -> OncallSettings:
    settings, found = parse_oncall(top.get("oncall"), file, top.key_lines.get("oncall", 0))
    problems += found
    return settings


def _file_access(data: LineDict, top: Mapping[str, Any], file: str, problems: list[Problem]) -> FileAccess:
    group = top.get("file_group")
    if group is None:
        return OWNER_ONLY
    try:
        group_id(group)
    except KeyError:
        problems.append(Problem(file, line_of(data, "file_group"), "file_group",
                                f"no group {show(group)} on this machine"))
        return OWNER_ONLY
    return FileAccess(group)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no $USER/$LOGNAME and no passwd entry (some containers)
        return "unknown"


def source_context(config: Config, clock: Callable) -> SourceContext:
    """What every source gets: the clock, the user, and the app-wide settings
    (settings keys: review_every, read_only, postmortems, audit_log, file_access)."""
    return SourceContext(
        clock=clock,
        user=config.user,
        data_dir=config.data_dir,
        settings={"review_every": config.review_every, "read_only": config.read_only,
                  "postmortems": config.postmortems, "audit_log": config.audit_log,
                  "file_access": config.file_access},
    )
