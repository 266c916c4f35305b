"""The rules import-linter cannot say by package: a domain's repository is its own, and the
engines are pure. Both are read from the real import graph, so new modules are covered."""

from __future__ import annotations

import grimp
import pytest

# The fake vendors seed their demo data the way a test fixture would.
MAY_READ_ANY_REPOSITORY = ("roofops.sandbox",)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("roofops")


def _owner(module: str) -> str:
    """``roofops.integrations.jobnimbus.x`` -> ``roofops.integrations.jobnimbus``; else the top
    package (``roofops.job.service`` -> ``roofops.job``)."""
    parts = module.split(".")
    depth = 3 if len(parts) > 2 and parts[1] == "integrations" else 2
    return ".".join(parts[:depth])


def test_no_package_reads_another_packages_repository(graph: grimp.ImportGraph) -> None:
    repositories = [
        m for m in graph.modules if m.endswith(".repository") and m != "roofops.kit.repository"
    ]
    foreign = sorted(
        (importer, repository)
        for repository in repositories
        for importer in graph.find_modules_that_directly_import(repository)
        if _owner(importer) != _owner(repository)
        and not importer.startswith(MAY_READ_ANY_REPOSITORY)
        and not (
            _owner(repository) == "roofops.integrations.core"
            and importer.startswith("roofops.integrations.")
        )
    )
    assert foreign == [], "call the other package's service instead"


def test_the_engines_import_no_other_roofops_module(graph: grimp.ImportGraph) -> None:
    engines = [m for m in graph.modules if m.startswith("roofops.engines")]
    outside = sorted(
        (module, imported)
        for module in engines
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("roofops.") and not imported.startswith("roofops.engines")
    )
    assert outside == []
