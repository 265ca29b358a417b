"""A generated company at fleet scale, as files the cockpit reads: a catalog
of N services (seed ownership format), three SLOs each for the demo source,
weekly on-call rotations, runbooks per team, and a cockpit.yaml over them.
Used by bench/scale.py and its smoke test; importable on its own."""

from __future__ import annotations

from pathlib import Path

TEAMS = 40
SLOS_PER_SERVICE = 3
RUNBOOKS_PER_TEAM = 5


def service_name(i: int) -> str:
    return f"svc-{i:04d}"


def write_world(root: Path, services: int, alertmanagers: tuple[str, ...] = ()) -> Path:
    """Write the files under ``root``; return the cockpit.yaml."""
    names = [service_name(i) for i in range(services)]
    catalog = ["services:"]
    for i, name in enumerate(names):
        team = f"team-{i % TEAMS:02d}"
        deps = ", ".join(names[(i + k) % services] for k in (1, 7) if services > 1)
        catalog += [f"  {name}:", f"    description: Generated service {i} of {services}.",
                    f"    owner: {team}", f'    primary_contact: "@{team}-lead"',
                    f'    escalation_path: ["@{team}-oncall", "@{team}-lead", "@eng-manager"]',
                    "    on_call: true", f'    runbooks: ["runbooks/{team}/"]', f"    depends_on: [{deps}]"]
    (root / "services.yaml").write_text("\n".join(catalog) + "\n", "utf-8")
    slos = ["sli_definitions:", "  availability:", '    description: "Share of successful requests"',
            "  latency:", '    description: "Requests faster than the threshold"', "services:"]
    for name in names:
        slos += [f"  {name}:", "    slo_definitions:",
                 "      availability:", "        sli: availability", "        target: 99.9%",
                 '        window: "30 days"',
                 "      latency:", "        sli: latency", '        target: "p99 < 500ms"',
                 '        window: "30 days"', "        error_budget: 0.5%",
                 "      availability-7d:", "        sli: availability", "        target: 99.5%",
                 "        window: 7d"][: 2 + 4 * SLOS_PER_SERVICE]
    (root / "slos.yaml").write_text("\n".join(slos) + "\n", "utf-8")
    rotations = ["rotations:"]
    for i, name in enumerate(names):
        team = f"team-{i % TEAMS:02d}"
        rotations.append(f'  {name}: [["@{team}-a", "@{team}-b", "@{team}-c"], "@{team}-lead"]')
    (root / "oncall.yaml").write_text("\n".join(rotations) + "\n", "utf-8")
    for t in range(min(TEAMS, services)):
        folder = root / "runbooks" / f"team-{t:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for r in range(RUNBOOKS_PER_TEAM):
            (folder / f"runbook-{r}.md").write_text(
                f"---\ntitle: team-{t:02d} runbook {r}\nowner: \"@team-{t:02d}\"\nlast_validated: 2026-11-01\n"
                f"---\n# team-{t:02d} runbook {r}\n\n- [ ] look at the dashboard\n- [ ] roll back\n", "utf-8")
    sources = ["  - {kind: catalog, path: services.yaml}", "  - {kind: runbooks, path: runbooks}",
               f"  - {{kind: incident-log, path: {root / 'incidents.db'}}}",
               "  - {kind: demo, slos: [slos.yaml], rotations: oncall.yaml, refresh: 5s}"]
    if alertmanagers:
        urls = ", ".join(f"{{url: '{url}', name: am-{n}}}" for n, url in enumerate(alertmanagers))
        sources.append(f"  - {{kind: alertmanager, urls: [{urls}], refresh: 5s, timeout: 30s}}")
    config = root / "cockpit.yaml"
    config.write_text(f"user: bench\ndata_dir: {root / 'data'}\naudit_log: {root / 'audit.jsonl'}\n"
                      f"postmortems: {root / 'pm'}\nsources:\n" + "\n".join(sources) + "\n", "utf-8")
    return config
