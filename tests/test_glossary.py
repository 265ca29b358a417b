"""The `glossary` source: the practices guide's term format, its bad shapes
as FILE:LINE: term.field problems, and which terms a document uses."""

from __future__ import annotations

from pathlib import Path

from cockpit.commands.check import check_config
from cockpit.config import BUNDLED_CONFIG
from cockpit.glossary_terms import terms_in
from cockpit.sources.glossary import load_glossary, parse_glossary

DEMO = BUNDLED_CONFIG.parent / "docs" / "glossary.md"
GUIDE_EXCERPT = """# Glossary

## Terms

### Event
- **Definition**: A ticketed occurrence at a venue (concert, sports game, etc.)
- **Context**: Used in `stubhub_events` table, API endpoints
- **Synonyms**: None
- **Related**: Venue, Ticket, Date

### Confidence
- **Definition**: Match confidence score for reconciliation (low, medium, high, very_high)
- **Context**: `event_reconciliation_review.match_confidence`
- **Synonyms**: Match Score
- **Related**: Reconciliation, Match Status
"""


def test_the_guides_format_reads_every_field():
    terms, problems = parse_glossary(GUIDE_EXCERPT, "g.md")
    assert problems == []
    event, confidence = terms
    assert (event.name, event.context, event.synonyms, event.related) == (
        "Event", "Used in `stubhub_events` table, API endpoints", (), ("Venue", "Ticket", "Date"))
    assert confidence.synonyms == ("Match Score",)
    assert confidence.definition.startswith("Match confidence score")


def test_the_bundled_demo_glossary_is_clean():
    terms, problems = load_glossary(DEMO)
    assert problems == [] and len(terms) >= 6


def test_bad_shapes_are_file_line_key_problems_and_the_rest_loads():
    text = ("# Glossary\n\n### Event\n- **Context**: no definition\n\n### Venue\n- **Definition**: A place\n"
            "- **Colour**: blue\nsome stray prose\n- **Definition**: again\n\n### venue\n- **Definition**: twice\n")
    terms, problems = parse_glossary(text, "g.md")
    assert [t.name for t in terms] == ["Venue"]
    assert [(p.line, p.key) for p in problems] == [
        (3, "Event.definition"), (8, "Venue.colour"), (9, "Venue"), (10, "Venue.definition"), (12, "venue")]
    assert all(str(p).startswith("g.md:") for p in problems)


def test_a_file_without_terms_is_a_problem():
    _, problems = parse_glossary("# Glossary\n\nNothing yet.\n", "g.md")
    assert [(p.line, p.key) for p in problems] == [(1, "(glossary)")]


def test_cockpit_check_covers_the_glossary_file(tmp_path):
    (tmp_path / "glossary.md").write_text("### Event\n- **Definiton**: typo\n")
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: glossary, path: glossary.md}\n")
    assert [str(p) for p in check_config(config).problems] == [
        f"{tmp_path / 'glossary.md'}:2: Event.definiton: unknown field (expected one of: Definition, Context, "
        "Synonyms, Related)",
        f"{tmp_path / 'glossary.md'}:1: Event.definition: missing: every term needs a '- **Definition**: ...' line",
    ]


def test_terms_in_a_document_by_name_synonym_and_plural_in_order_of_use():
    terms, _ = load_glossary(DEMO)
    text = "The Match Score of each run, and every Venue's events. Reviewer is not Review."
    assert [t.name for t in terms_in(text, terms)] == ["Confidence", "Run", "Venue", "Event", "Review"]
    assert terms_in("nothing here", terms) == []
