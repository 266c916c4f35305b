"""roofops db: upgrade, current, check, downgrade."""

from __future__ import annotations

from roofops import schema
from tests.cli.conftest import Cli


def test_check_fails_before_upgrade_and_passes_after(cli: Cli) -> None:
    before = cli("db", "check", code=1)
    upgraded = cli("db", "upgrade")
    after = cli("db", "check")

    assert "this release needs" in before
    assert "behind" in before
    assert f"at {schema.head_revision()}" in upgraded
    assert "is current" in after


def test_current_shows_both_revisions(migrated_cli: Cli) -> None:
    output = migrated_cli("db", "current")

    assert f"head:     {schema.head_revision()}" in output
    assert "up to date" in output


def test_downgrade_leaves_the_schema_behind(migrated_cli: Cli) -> None:
    migrated_cli("db", "downgrade", "0001")

    assert "behind: run `roofops db upgrade`" in migrated_cli("db", "current")
    migrated_cli("db", "check", code=1)


def test_unknown_revision_is_a_clean_error(migrated_cli: Cli) -> None:
    output = migrated_cli("db", "downgrade", "nope", code=1)

    assert "migration failed: Can't locate revision identified by 'nope'" in output
