"""The `campaign` command: migrate, serve, worker, create-organisation, create-organiser, demo,
imports, backup, restore, mail-sink, dev."""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine

from campaign.core.crypto import DecryptionError, keyring, new_key, use_keys
from campaign.core.settings import PROJECT_DIR, ConfigError, Settings, get_settings

F = TypeVar("F", bound=Callable[..., Any])

# accounts.models.OrgRole's values, spelled out so that `campaign --help` stays quick.
ORG_ROLES = ("owner", "campaigner", "steward", "viewer")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Handed to uvicorn too, so that every app process (with --workers) logs the same way.
# Only our own code and the server say what they do (INFO); other libraries speak up for
# warnings alone, since their INFO lines may quote data (fontTools lists the glyphs of a PDF,
# that is the letters of supporters' names). fpdf2's warnings name missing characters too.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "campaign": {"level": "INFO"},
        "uvicorn": {"level": "INFO"},
        "uvicorn.access": {"level": "WARNING"},
        "alembic": {"level": "WARNING"},
        "fpdf": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}


def fails_cleanly(func: F) -> F:
    """Turn a configuration or connection problem into one line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"campaign: {exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _exits_on(error: type[Exception], what: str) -> Iterator[None]:
    """Turn `error` into one line on stderr, `campaign: <what>: <error>`, and exit code 1."""
    try:
        yield
    except error as exc:
        click.echo(f"campaign: {what}: {exc}", err=True)
        sys.exit(1)


def _ready_engine(settings: Settings) -> Engine:
    """An engine for a reachable database whose schema is up to date, or one line and exit 2."""
    from campaign.core.db import check_settings_database
    from campaign.core.migrate import check_current

    engine = check_settings_database(settings)
    check_current(engine)
    return engine


def _settings() -> Settings:
    settings = get_settings()
    logging.config.dictConfig(LOGGING)
    use_keys(settings.data_keys)
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """campaign: petitions, letters to officials and solidarity mail for political prisoners."""


@cli.command()
@fails_cleanly
def migrate() -> None:
    """Create or update the database schema (Alembic migrations)."""
    from campaign.core.db import check_settings_database
    from campaign.core.migrate import upgrade

    settings = _settings()
    check_settings_database(settings).dispose()
    upgrade(settings.database_url)
    click.echo("campaign: the database schema is up to date")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="App processes."
)
@click.option("--reload", is_flag=True, help="Restart when code changes (development).")
@fails_cleanly
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web app with uvicorn (no access log with client addresses)."""
    import uvicorn

    settings = _settings()
    engine = _ready_engine(settings)
    if settings.is_production:
        from campaign.site.demo import refuse_demo_account

        refuse_demo_account(engine)
    engine.dispose()
    uvicorn.run(
        "main:app",
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        access_log=False,  # our own access log (campaign.http) leaves out addresses
        proxy_headers=False,  # X-Forwarded-For is judged by TRUSTED_PROXIES in the app
        server_header=False,
        ws="none",  # no WebSockets here; uvicorn would log each upgrade with the client address
        log_config=LOGGING,
        app_dir=str(PROJECT_DIR),
    )


@cli.command()
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 1000))
@fails_cleanly
def worker(once: bool, batch_size: int) -> None:
    """Send queued mail over one reused SMTP connection, post webhook deliveries and run
    housekeeping jobs."""
    from campaign.hooks.sender import HookSender
    from campaign.mail.worker import MailWorker, SmtpUnavailable
    from campaign.site.jobs import housekeeping_jobs

    settings = _settings()
    engine = _ready_engine(settings)
    if settings.is_production:
        from campaign.site.demo import refuse_demo_account

        refuse_demo_account(engine)
    mail_worker = MailWorker(
        engine, settings, batch_size=batch_size, periodic=housekeeping_jobs(engine, settings)
    )
    hook_sender = HookSender(engine, settings)

    async def main() -> None:
        try:
            await mail_worker.connection()
        except SmtpUnavailable as exc:
            raise ConfigError(f"SMTP_HOST: {exc}") from None
        if once:
            handled = await mail_worker.drain()
            await mail_worker.close()
            posted = await asyncio.to_thread(hook_sender.drain)
            click.echo(f"campaign: handled {handled} message(s), {posted} webhook delivery(ies)")
            return
        loop = asyncio.get_running_loop()

        def stop() -> None:
            mail_worker.stop()
            hook_sender.stop()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        logging.getLogger("campaign.mail").info("mail worker started")
        await asyncio.gather(
            mail_worker.run(periodic_every=settings.worker_jobs_every), hook_sender.run()
        )

    asyncio.run(main())


@cli.command("create-organisation")
@click.argument("name")
@fails_cleanly
def create_organisation_command(name: str) -> None:
    """Add an organisation: a group whose members run its petitions and letter campaigns."""
    from campaign.accounts.service.organisations import create_organisation
    from campaign.core.db import transaction
    from campaign.site.cli_accounts import account_errors

    engine = _ready_engine(_settings())
    with account_errors(), transaction(engine) as session:
        organisation = create_organisation(session, name)
    click.echo(f"campaign: created organisation {organisation.name}")


@cli.command("create-organiser")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.option("--organisation", help="Make the account a member of this organisation.")
@click.option(
    "--role", type=click.Choice(ORG_ROLES), help="Its role there; campaigner if not given."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@fails_cleanly
def create_organiser_command(email: str, password_stdin: bool, **options: Any) -> None:
    """Add an organiser account; the password is asked for (or read from stdin)."""
    from campaign.core.db import transaction
    from campaign.site.cli_accounts import account_errors, create_account, read_password

    if options["role"] and not options["organisation"]:
        click.echo("campaign: --role needs --organisation NAME", err=True)
        sys.exit(1)
    engine = _ready_engine(_settings())
    password = read_password(from_stdin=password_stdin)
    with account_errors(), transaction(engine) as session:
        done = create_account(session, email=email, password=password, **options)
    click.echo(f"campaign: {done}")


@cli.command()
@fails_cleanly
def demo() -> None:
    """Load the demo content (development only; running it again changes nothing)."""
    from campaign.core.db import transaction
    from campaign.site.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo

    settings = _settings()
    if settings.is_production:
        raise ConfigError("ENV: the demo content is for development only")
    engine = _ready_engine(settings)
    with transaction(engine) as session:
        created = load_demo(session, settings=settings)
    click.echo("campaign: demo content " + ("loaded" if created else "already there"))
    click.echo(f"campaign: demo organiser login: {DEMO_EMAIL} / {DEMO_PASSWORD}")


DRY_RUN_HELP = "Check the file and say what would change; change nothing."


def _import_command(kind: str, help: str) -> None:
    """Add `campaign import-<kind> FILE.csv [--dry-run]`: an all-or-nothing CSV import that
    prints one line per bad row, or what it did."""

    @cli.command(f"import-{kind}", help=help)
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
    @fails_cleanly
    def command(csv_file: Path, dry_run: bool) -> None:
        from campaign.core.db import transaction
        from campaign.letters.service import officials
        from campaign.prisoners.service import register

        settings = _settings()
        engine = _ready_engine(settings)
        csv_import = officials.CSV_IMPORT if kind == "officials" else register.CSV_IMPORT
        rows, problem = csv_import.read(csv_file.read_bytes())
        if problem:
            click.echo(f"campaign: {csv_file}: {problem}", err=True)
            sys.exit(1)
        with transaction(engine) as session:
            report = csv_import.run(session, rows, not dry_run)
        for line, column, message in report.errors:
            click.echo(f"{csv_file}:{line}: {column or 'row'}: {message}", err=True)
        if not report.ok:
            click.echo(f"campaign: nothing imported ({len(report.errors)} problem(s))", err=True)
            sys.exit(1)
        added, updated = ("would add", "would update") if dry_run else ("added", "updated")
        click.echo(f"campaign: {added} {report.created} and {updated} {report.updated} {kind}")


_import_command(
    "officials",
    "Add or update officials from a CSV file; if any row is wrong, nothing is imported.",
)
_import_command(
    "prisoners", "Add or update prisoners (by external_id) from a CSV file; all rows or none."
)


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@fails_cleanly
def backup_command(target: Path) -> None:
    """Write a consistent copy of the whole database to TARGET (a new file).

    SQLite: the online backup API, safe while the app runs. PostgreSQL: pg_dump, custom format.
    The file holds every supporter's data: keep it encrypted and off the server.
    """
    from campaign.site.backup import BackupError, backup

    settings = _settings()
    _ready_engine(settings).dispose()
    with _exits_on(BackupError, "backup"):
        result = backup(settings.database_url, target)
    click.echo(f"campaign: backup written to {target} ({result.total} rows)")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database's content.")
@fails_cleanly
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's content with the backup in SOURCE, then migrate it.

    Stop the app and the workers first. The file is checked before anything is changed.
    """
    from campaign.site.backup import BackupError, restore

    settings = _settings()
    if not yes:
        click.confirm(
            "campaign: this replaces everything in the database with the backup; go on?",
            abort=True,
        )
    with _exits_on(BackupError, "restore"):
        result = restore(settings.database_url, source)
    click.echo(f"campaign: restored {source} ({result.total} rows)")


@cli.command("generate-key")
def generate_key_command() -> None:
    """Print a new random key for DATA_KEYS (put it first to make it the one that encrypts)."""
    click.echo(new_key())


@cli.command("rotate-keys")
@fails_cleanly
def rotate_keys_command() -> None:
    """Re-encrypt personal data under the first key of DATA_KEYS and refresh the blind index.

    Safe while the site runs. Afterwards the other keys can be removed from DATA_KEYS.
    """
    from campaign.site.key_rotation import rotate_keys, stale_values

    settings = _settings()
    engine = _ready_engine(settings)
    ring = keyring()
    try:
        done = rotate_keys(engine, settings, ring)
    except DecryptionError as exc:
        click.echo(f"campaign: rotate-keys: {exc}; fix DATA_KEYS and run it again", err=True)
        sys.exit(1)
    left = stale_values(engine, ring)
    summary = f"campaign: {done.values} values re-encrypted, {done.indexes} look-up hashes redone"
    if left:
        click.echo(f"{summary}; {left} values still under older keys: run it again", err=True)
        sys.exit(1)
    click.echo(f"{summary}; all under key {ring.current}, the other keys can leave DATA_KEYS")


@cli.command("mail-sink")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1025, show_default=True, type=click.IntRange(1, 65535))
@fails_cleanly
def mail_sink(host: str, port: int) -> None:
    """Catch mail on a local SMTP port and keep it for /dev/mail (development only)."""
    from campaign.mail.sink import start_sink

    settings = _settings()
    if settings.is_production:
        raise ConfigError("ENV: the mail catcher is for development only")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs peers' addresses
    try:
        controller = start_sink(settings.dev_mail_dir, host=host, port=port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    click.echo(f"campaign: catching mail on {host}:{port} into {settings.dev_mail_dir}")
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        controller.stop()


@cli.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@fails_cleanly
def dev(port: int) -> None:
    """Migrate, load the demo, and run the app, the mail worker and the mail catcher together."""
    from campaign.site.devserver import run_development

    settings = _settings()
    if settings.is_production:
        raise ConfigError("ENV: `campaign dev` is for development; use serve and worker")
    sys.exit(run_development(settings, port=port, environ=dict(os.environ)))


def main() -> None:
    """Entry point of the `campaign` console script."""
    cli(prog_name="campaign")
