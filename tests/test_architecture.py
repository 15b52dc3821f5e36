"""The house's rules (docs/architecture.md), checked on the source: arrows point down, mail is
queued only through each domain's typed e-mail functions, and no route commits by hand."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

CAMPAIGN = Path(__file__).resolve().parent.parent / "campaign"
DOMAINS = {"petitions", "letters", "prisoners"}
ALL_PACKAGES = {"core", "mail", "accounts", "hooks", "content", "privacy", "site"} | DOMAINS


def modules(package: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((CAMPAIGN / package).rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def imported_packages(tree: ast.Module) -> set[str]:
    """The campaign packages a module imports from, at the top or inside a function."""
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "campaign":
                names = [f"campaign.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "campaign" and len(parts) > 1:
                found.add(parts[1])
    return found


def offences(package: str, allowed: set[str]) -> list[str]:
    return [
        f"{path.relative_to(CAMPAIGN)} imports campaign.{name}"
        for path, tree in modules(package)
        for name in sorted(imported_packages(tree) - allowed - {package})
    ]


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("core", set()),
        ("mail", {"core"}),
        ("accounts", {"core", "mail"}),
        ("hooks", {"core", "mail", "accounts"}),
        ("content", {"core", "mail", "accounts"}),
        ("privacy", {"core", "mail", "accounts", "hooks"}),
        *[(domain, ALL_PACKAGES - {"site"}) for domain in sorted(DOMAINS)],
    ],
)
def test_each_floor_imports_only_the_floors_below_it(package: str, allowed: set[str]) -> None:
    assert offences(package, allowed) == []


def test_no_domain_reaches_into_another_domains_routes() -> None:
    found = []
    for domain in sorted(DOMAINS):
        for path, tree in modules(domain):
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    parts = node.module.split(".")
                    other = parts[1] if len(parts) > 1 else ""
                    if other in DOMAINS - {domain} and "routes" in ".".join(parts[2:]):
                        found.append(f"{path.relative_to(CAMPAIGN)} imports {node.module}")
    assert found == []


def test_mail_is_queued_only_by_the_typed_functions_of_an_emails_module() -> None:
    """A call site never spells a template name: it calls e.g. emails.confirm_signature(…)."""
    found = []
    for package in sorted(ALL_PACKAGES - {"mail"}):
        for path, tree in modules(package):
            if path.name == "emails.py":
                continue
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "enqueue"
                ):
                    found.append(f"{path.relative_to(CAMPAIGN)}:{node.lineno}")
    assert found == []


def test_no_route_commits_by_hand() -> None:
    """The two kinds of transaction commit for the route (core/db.py): routes never do."""
    found = []
    for package in sorted(ALL_PACKAGES):
        for path, tree in modules(package):
            if "routes" not in path.stem and "routes" not in path.parent.name:
                continue
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"
                ):
                    found.append(f"{path.relative_to(CAMPAIGN)}:{node.lineno}")
    assert found == []
