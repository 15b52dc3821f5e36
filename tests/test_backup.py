"""`campaign backup` and `campaign restore`: a backup restored into a fresh database holds every
row; a file that is not a backup is refused before anything changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from campaign.core.db import make_engine
from campaign.core.settings import Settings
from campaign.petitions.models import Signature
from campaign.site.backup import BackupError, backup, restore, summary
from tests.factories import add_signature, make_letter_campaign, make_petition, make_prisoner
from tests.test_cli import campaign


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: no tables, not even Alembic's."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base = make_url(db_url)
    name = f"{base.database}_restore_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def some_of_everything(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    for n in range(3):
        add_signature(engine, settings, petition, email=f"signer{n}@example.org")
    make_letter_campaign(engine)
    make_prisoner(engine)


def emails(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return sorted(s.email for s in session.exec(select(Signature)).all())
    finally:
        engine.dispose()


def test_a_backup_restored_into_a_fresh_database_holds_every_row(
    db_url: str, engine: Engine, settings: Settings, tmp_path: Path, fresh_url: str
) -> None:
    some_of_everything(engine, settings)
    before = summary(db_url)
    file = tmp_path / "campaign.backup"
    assert backup(db_url, file).rows == before.rows

    restored = restore(fresh_url, file)
    assert restored.rows == before.rows
    assert restored.rows["signature"] == 3 and restored.rows["prisoner"] == 1
    assert emails(fresh_url) == emails(db_url)


def test_a_restore_undoes_what_changed_after_the_backup(
    db_url: str, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    some_of_everything(engine, settings)
    file = tmp_path / "campaign.backup"
    before = backup(db_url, file)
    make_petition(engine)
    assert summary(db_url).rows["petition"] == before.rows["petition"] + 1
    engine.dispose()  # the app is stopped for a restore
    assert restore(db_url, file).rows == before.rows


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    db_url: str, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    some_of_everything(engine, settings)
    before = summary(db_url)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("SELECT 'this is not a backup';")
    with pytest.raises(BackupError, match="not"):
        restore(db_url, garbage)
    other_kind = tmp_path / "other.backup"
    other_kind.write_bytes(b"PGDMP" if db_url.startswith("sqlite") else b"SQLite format 3\x00")
    with pytest.raises(BackupError, match="not"):
        restore(db_url, other_kind)
    assert summary(db_url) == before


def test_a_backup_never_overwrites_a_file(db_url: str, tmp_path: Path) -> None:
    file = tmp_path / "campaign.backup"
    file.write_text("an older backup")
    with pytest.raises(BackupError, match="exists already"):
        backup(db_url, file)
    assert file.read_text() == "an older backup"


def test_the_commands_report_in_one_line(tmp_path: Path, sqlite_template: Path) -> None:
    database = tmp_path / "live.db"
    database.write_bytes(sqlite_template.read_bytes())
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    file = tmp_path / "nightly.backup"

    made = campaign("backup", str(file), env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().startswith(f"campaign: backup written to {file}")
    again = campaign("backup", str(file), env=env)
    assert again.returncode == 1
    assert (
        again.stderr.strip() == f"campaign: backup: {file} exists already; choose a new file name"
    )

    restored = campaign("restore", "--yes", str(file), env=env)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip().startswith(f"campaign: restored {file}")
    garbage = tmp_path / "garbage.backup"
    garbage.write_text("nothing")
    refused = campaign("restore", "--yes", str(garbage), env=env)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"campaign: restore: {garbage} is not an SQLite backup"
    unconfirmed = campaign("restore", str(file), env=env, stdin="n\n")
    assert unconfirmed.returncode == 1
    assert "Traceback" not in unconfirmed.stderr
