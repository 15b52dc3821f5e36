"""Migration 17a100000001 moves what exists into one organisation named by ORGANISATION_NAME,
with every account its owner; an empty database gets none (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from campaign.core.migrate import upgrade
from tests.conftest import throwaway_postgres

BEFORE = "15a100000003"  # the revision before organisations


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own (not the shared, migrated one), dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    with throwaway_postgres("campaign_migration") as url:
        yield url


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def test_what_exists_moves_into_the_named_organisation(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(fresh_url, BEFORE)
    now = datetime.now(UTC)
    engine = create_engine(fresh_url)
    with engine.begin() as connection:
        for email in ("lena@example.org", "ales@example.org"):
            connection.execute(
                text(
                    "INSERT INTO user_account (email, name, password_hash, role, is_active, "
                    "created_at, totp_secret, totp_last_step) "
                    "VALUES (:email, '', 'x', 'organiser', :yes, :now, '', 0)"
                ),
                {"email": email, "yes": True, "now": now},
            )
        connection.execute(
            text(
                "INSERT INTO petition (slug, title, summary, body, addressee, goal, status, "
                "signing_paused, signature_count, created_at, updated_at) "
                "VALUES ('free-them', 'Free them', '', '', '', 100, 'open', :no, 0, :now, :now)"
            ),
            {"no": False, "now": now},
        )
        # A row that points at the petition: rebuilding the table must not cascade to it.
        connection.execute(
            text(
                "INSERT INTO petition_tally (petition_id, country, count) "
                "SELECT id, 'BY', 7 FROM petition WHERE slug = 'free-them'"
            )
        )
        connection.execute(
            text(
                "INSERT INTO letter_campaign (slug, title, purpose, status, target_mode, "
                "allow_email, allow_mailto, allow_print, body_locked, created_at, updated_at) "
                "VALUES ('write', 'Write', '', 'open', 'all', :yes, :yes, :yes, :no, :now, :now)"
            ),
            {"yes": True, "no": False, "now": now},
        )
    engine.dispose()

    monkeypatch.setenv("ORGANISATION_NAME", "  Free Voices Network  ")
    upgrade(fresh_url)

    [(organisation_id, name)] = _rows(fresh_url, "SELECT id, name FROM organisation")
    assert name == "Free Voices Network"
    members = _rows(
        fresh_url,
        "SELECT u.email, m.organisation_id, m.role FROM membership m "
        "JOIN user_account u ON u.id = m.user_id ORDER BY u.email",
    )
    assert members == [
        ("ales@example.org", organisation_id, "owner"),
        ("lena@example.org", organisation_id, "owner"),
    ]
    assert _rows(fresh_url, "SELECT slug, organisation_id FROM petition") == [
        ("free-them", organisation_id)
    ]
    assert _rows(fresh_url, "SELECT slug, organisation_id FROM letter_campaign") == [
        ("write", organisation_id)
    ]
    assert _rows(fresh_url, "SELECT country, count FROM petition_tally") == [("BY", 7)]


def test_an_empty_database_gets_no_organisation(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORGANISATION_NAME", "Nobody yet")
    upgrade(fresh_url)
    assert _rows(fresh_url, "SELECT id FROM organisation") == []
    assert _rows(fresh_url, "SELECT user_id FROM membership") == []
