"""Backups of the whole database and their restoration.

SQLite is copied with its online backup API (a consistent snapshot while the app keeps writing);
PostgreSQL with pg_dump in its custom format, restored with pg_restore, so a backup taken here
can also be restored by hand. A restore checks the file before it touches the database, then
brings the schema up to date, so a backup from an older release can be restored into a newer one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from campaign.core.db import make_engine
from campaign.core.migrate import upgrade
from campaign.site.models import metadata

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""


@dataclass(frozen=True)
class Summary:
    """What a database holds, table by table: compared before and after a restore."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def summary(database_url: str) -> Summary:
    """Row counts of every table the app knows."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = {
                table.name: int(
                    connection.execute(select(func.count()).select_from(table)).scalar_one()
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()
    return Summary(rows)


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_command(tool: str, url: URL) -> tuple[list[str], dict[str, str]]:
    """The tool with connection options; the password goes in the environment, not argv."""
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client (postgresql-client)")
    args = [binary, "--no-password"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return args, environment


def _run(args: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(args, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(lines[-1] if lines else f"{Path(args[0]).name} failed")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another, page by page, as one consistent snapshot."""
    try:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            writer = sqlite3.connect(target)
            try:
                reader.backup(writer)
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite: {exc}") from exc


def backup(database_url: str, target: Path) -> Summary:
    """Write a backup of the database to target (which must not exist yet)."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    url = make_url(database_url)
    partial = target.with_name(target.name + ".partial")
    try:
        if _is_sqlite(url):
            _sqlite_copy(_sqlite_path(url), partial)
        else:
            args, environment = _pg_command("pg_dump", url)
            _run(
                [*args, "--format=custom", "--no-owner", "--file", str(partial), str(url.database)],
                environment,
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return summary(database_url)


def _check_backup(url: URL, source: Path) -> None:
    """Refuse anything that is not a backup of this app for this kind of database."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with source.open("rb") as handle:
        head = handle.read(16)
    if _is_sqlite(url):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup")
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is damaged: {exc}") from exc
        finally:
            check.close()
        if integrity != "ok":
            raise BackupError(f"{source} is damaged: {integrity}")
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is not a backup of this app")
        return
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump backup in custom format")
    args, environment = _pg_command("pg_restore", url)
    listing = subprocess.run(  # noqa: S603
        [args[0], "--list", str(source)], env=environment, capture_output=True, text=True
    )
    if listing.returncode != 0 or "alembic_version" not in listing.stdout:
        raise BackupError(f"{source} is not a backup of this app")


def restore(database_url: str, source: Path) -> Summary:
    """Replace the database's content with the backup's, then migrate it to this release."""
    url = make_url(database_url)
    _check_backup(url, source)
    if _is_sqlite(url):
        _sqlite_copy(source, _sqlite_path(url))
    else:
        args, environment = _pg_command("pg_restore", url)
        _run(
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                str(url.database),
                str(source),
            ],
            environment,
        )
    upgrade(database_url)
    return summary(database_url)
