"""Which catalog services are a user's: those whose owning team lists them as
a member, whose primary contact or escalation path names them, or whose
rotation has them on call. Names are compared the way catalogs write people:
"@alice", "alice", "Alice Smith <alice@example.com>" all name alice."""

from __future__ import annotations

import re
from typing import Iterable

from cockpit.model import OnCall, Service

_EMAIL = re.compile(r"<([^>]+)>")


def names_of(who: str) -> set[str]:
    """Every way ``who`` may be written, lower-cased."""
    text = who.strip().lower()
    names = {text.lstrip("@")} if text else set()
    email = _EMAIL.search(text)
    if email:
        names |= {email[1], email[1].partition("@")[0], _EMAIL.sub("", text).strip()}
    elif "@" in text.lstrip("@"):
        names.add(text.lstrip("@").partition("@")[0])
    return names - {""}


def user_services(user: str, services: Iterable[Service], oncall: Iterable[OnCall] = ()) -> list[Service]:
    """The services that are ``user``'s, by name."""
    wanted = names_of(user)
    if not wanted:
        return []
    on_call = {o.service for o in oncall if names_of(o.user) & wanted}
    mine = []
    for service in services:
        people = (*service.members, service.primary_contact, service.owner,
                  *(step.contact for step in service.escalation_path))
        if service.name in on_call or any(names_of(p) & wanted for p in people):
            mine.append(service)
    return sorted(mine, key=lambda s: s.name)
