"""The @mention syntax: an e-mail's local part or a quoted full name, matched to active people."""

from __future__ import annotations

import uuid

from roofops.activity.mentions import Person, resolve, tokens

OLIVIA = Person(uuid.uuid4(), "olivia@summit.example", "Olivia Office")
DAN = Person(uuid.uuid4(), "dan.dispatch@summit.example", "Dan Dispatch")
PEOPLE = [OLIVIA, DAN]


def test_a_local_part_or_a_quoted_full_name_finds_the_person_whatever_the_case() -> None:
    found = resolve('@Olivia, can @"dan   DISPATCH" call the adjuster?', PEOPLE)

    assert [(m.text, m.user_id) for m in found] == [
        ("@Olivia", OLIVIA.user_id),
        ('@"dan   DISPATCH"', DAN.user_id),
    ]


def test_sentence_punctuation_after_a_mention_is_not_part_of_it() -> None:
    found = resolve("Thanks @dan.dispatch. Ask @olivia!", PEOPLE)

    assert [m.user_id for m in found] == [DAN.user_id, OLIVIA.user_id]
    assert [t.text for t in tokens("Thanks @dan.dispatch. Ask @olivia!")] == [
        "@dan.dispatch",
        "@olivia",
    ]


def test_an_email_address_in_a_note_is_not_a_mention() -> None:
    assert tokens("write to olivia@summit.example or call") == []


def test_a_mention_of_nobody_is_kept_and_said_so() -> None:
    [unknown] = resolve("@bob please check", PEOPLE)

    assert unknown.user_id is None
    assert unknown.label == "no active user by that name"


def test_a_local_part_two_addresses_share_notifies_nobody() -> None:
    twin = Person(uuid.uuid4(), "olivia@other.example", "Olivia Other")
    [ambiguous] = resolve("@olivia", [OLIVIA, twin])

    assert ambiguous.user_id is None
    assert ambiguous.label == "more than one user matches"
    [by_name] = resolve('@"Olivia Other"', [OLIVIA, twin])
    assert by_name.user_id == twin.user_id


def test_the_same_mention_twice_is_one_mention() -> None:
    assert len(resolve("@olivia and again @OLIVIA", PEOPLE)) == 1
