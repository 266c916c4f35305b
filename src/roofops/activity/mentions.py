"""@mentions in a note: the syntax, and matching it to people.

Two forms, both case-insensitive:

* ``@olivia`` or ``@olivia.office``: the part of a user's e-mail address before the ``@``.
* ``@"Olivia Office"``: a user's full name, in double quotes (names have spaces).

Only active users can be mentioned. A mention that matches nobody (or, for an e-mail's local
part shared by two addresses, more than one person) stays in the note as plain text and is
listed as not notified, so the writer knows. An e-mail address written in a note
(``olivia@example.com``) is not a mention: a mention starts a word.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

# A mention starts the text or follows a character that cannot be part of an address.
_MENTION = re.compile(r'(?<![\w.@])@(?:"([^"\n]{1,200})"|([A-Za-z0-9][A-Za-z0-9._%+-]*))')
_TRAILING = "._-+%"  # "thanks @olivia." ends the sentence, not the name


@dataclass(frozen=True)
class Person:
    """Who may be mentioned: an active user."""

    user_id: uuid.UUID
    email: str
    full_name: str

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0].lower()


@dataclass(frozen=True)
class Mention:
    text: str  # as written, "@olivia" or '@"Olivia Office"'
    user_id: uuid.UUID | None  # None: nobody (or more than one person) matched
    label: str  # the person's name, or why nobody was notified


@dataclass(frozen=True)
class Token:
    text: str
    key: str  # lower-case local part or full name
    by_name: bool
    start: int
    end: int


def tokens(body: str) -> list[Token]:
    """Every mention written in ``body``, in order."""
    found: list[Token] = []
    for match in _MENTION.finditer(body):
        quoted, handle = match.group(1), match.group(2)
        if quoted is not None:
            found.append(Token(match.group(0), _norm(quoted), True, match.start(), match.end()))
            continue
        trimmed = handle.rstrip(_TRAILING)
        end = match.start() + 1 + len(trimmed)
        found.append(Token(body[match.start() : end], trimmed.lower(), False, match.start(), end))
    return found


def resolve(body: str, people: Iterable[Person]) -> list[Mention]:
    """The mentions of ``body`` matched to people, each written mention once."""
    by_handle: dict[str, list[Person]] = {}
    by_name: dict[str, list[Person]] = {}
    for person in people:
        by_handle.setdefault(person.handle, []).append(person)
        if person.full_name.strip():
            by_name.setdefault(_norm(person.full_name), []).append(person)
    mentions: dict[str, Mention] = {}
    for token in tokens(body):
        matches = (by_name if token.by_name else by_handle).get(token.key, [])
        mentions.setdefault(token.text.lower(), _mention(token, matches))
    return list(mentions.values())


def _mention(token: Token, matches: list[Person]) -> Mention:
    if len(matches) == 1:
        person = matches[0]
        return Mention(token.text, person.user_id, person.full_name or person.email)
    why = "no active user by that name" if not matches else "more than one user matches"
    return Mention(token.text, None, why)


def _norm(name: str) -> str:
    return " ".join(name.split()).lower()
