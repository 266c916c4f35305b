"""A job's feed as the page shows it: a symbol and a name per kind, who and when, a note's
@mentions picked out, a photo's thumbnail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from roofops.activity import mentions
from roofops.activity.results import STAGE_KIND, FeedEntry
from roofops.models.activity import ActivityKind
from roofops.web.timeline import ACTOR_TAGS

# (symbol, name): the symbol is decoration (aria-hidden), the name is what is read out.
KINDS: dict[str, tuple[str, str]] = {
    ActivityKind.NOTE.value: ("✎", "Note"),
    ActivityKind.FIELD.value: ("⚒", "Field report"),
    ActivityKind.PHOTO.value: ("▣", "Photo"),
    ActivityKind.HANDOFF.value: ("⇄", "Handoff"),
    ActivityKind.SCHEDULE.value: ("◷", "Schedule"),
    ActivityKind.SYNC.value: ("⟳", "Sync"),
    ActivityKind.CUSTOMER_MESSAGE.value: ("✉", "Message from the customer"),
    STAGE_KIND: ("➜", "Stage change"),
}


@dataclass(frozen=True)
class Part:
    text: str
    mention: bool = False


@dataclass(frozen=True)
class FeedItem:
    entry: FeedEntry
    job_id: uuid.UUID

    @property
    def symbol(self) -> str:
        return KINDS.get(self.entry.kind, ("•", ""))[0]

    @property
    def kind_name(self) -> str:
        return KINDS.get(self.entry.kind, ("", self.entry.kind.replace("_", " ").title()))[1]

    @property
    def actor_tag(self) -> str:
        return ACTOR_TAGS[self.entry.actor_type]

    @property
    def photo_url(self) -> str:
        photo_id = self.entry.data.get("photo_id")
        return f"/jobs/{self.job_id}/photos/{photo_id}" if photo_id else ""

    @property
    def parts(self) -> list[Part]:
        """The body with each matched @mention marked, so the page can pick it out."""
        matched = {m["text"] for m in self.entry.data.get("mentions", []) if "text" in m}
        return split_mentions(self.entry.body, matched)

    @property
    def unmatched(self) -> list[str]:
        return [m["text"] for m in self.entry.data.get("unmatched", []) if "text" in m]


def split_mentions(body: str, matched: set[str]) -> list[Part]:
    """``body`` in parts, each mention of ``matched`` (as written) marked: where the note's
    parser (roofops.activity.mentions) finds one, so an e-mail address is never one."""
    parts: list[Part] = []
    done = 0
    for token in mentions.tokens(body) if matched else []:
        if token.text not in matched:
            continue
        if token.start > done:
            parts.append(Part(body[done : token.start]))
        parts.append(Part(token.text, mention=True))
        done = token.end
    if done < len(body) or not parts:
        parts.append(Part(body[done:]))
    return parts


def feed_items(entries: list[FeedEntry], job_id: uuid.UUID) -> list[FeedItem]:
    return [FeedItem(entry, job_id) for entry in entries]
