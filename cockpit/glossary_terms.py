"""Which glossary terms a document uses: a term's name or one of its
synonyms as a whole word, any case, plural too ("error budgets" uses
Error Budget: prose uses terms in the plural as often as not)."""

from __future__ import annotations

import re
from typing import Iterable

from cockpit.model import GlossaryTerm


def _pattern(term: GlossaryTerm) -> re.Pattern:
    words = sorted({term.name, *term.synonyms}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words if w.strip()) + r")(?:e?s)?(?!\w)",
                      re.IGNORECASE)


def terms_in(text: str, glossary: Iterable[GlossaryTerm]) -> list[GlossaryTerm]:
    """The glossary's terms ``text`` uses, in the order the text first uses them."""
    found = []
    for term in glossary:
        match = _pattern(term).search(text)
        if match:
            found.append((match.start(), term))
    return [term for _, term in sorted(found, key=lambda item: item[0])]
