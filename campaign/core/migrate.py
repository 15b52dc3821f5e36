"""Run the Alembic migrations from code (the CLI, `make run` and the tests use this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from campaign.core.settings import PROJECT_DIR, ConfigError


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the project's migrations against this database."""
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)


def check_current(engine: Engine) -> None:
    """Raise ConfigError unless the database has every migration applied."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise ConfigError("the database schema is not up to date; run `campaign migrate` first")
