"""A note's body as the feed page marks its mentions."""

from __future__ import annotations

from roofops.web.activity_view import Part, split_mentions


def test_only_the_matched_mentions_are_marked_where_they_are_written() -> None:
    body = '@olivia.office and @"Dan Dispatch": mail olivia@x.example, not @nobody'
    matched = {"@olivia.office", '@"Dan Dispatch"', "@olivia"}

    assert split_mentions(body, matched) == [
        Part("@olivia.office", mention=True),
        Part(" and "),
        Part('@"Dan Dispatch"', mention=True),
        Part(": mail olivia@x.example, not @nobody"),
    ]


def test_a_body_without_matched_mentions_is_one_part() -> None:
    assert split_mentions("thanks @olivia.", set()) == [Part("thanks @olivia.")]
    assert split_mentions("thanks @olivia.", {"@olivia"}) == [
        Part("thanks "),
        Part("@olivia", mention=True),
        Part("."),
    ]
