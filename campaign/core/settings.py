"""One Settings object, read from the environment; it refuses values that would run unsafely."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from campaign.core.crypto import new_key, parse_key

PROJECT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = PROJECT_DIR / "var"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}
LOCALES = ("en", "be", "ru", "uk", "pl", "lt", "de")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line meant for the operator."""


class Env(StrEnum):
    development = "development"
    production = "production"


class SmtpSecurity(StrEnum):
    none = "none"
    starttls = "starttls"
    tls = "tls"


def local_secret(path: Path, make: Callable[[], str] | None = None) -> str:
    """Make a local secret once and keep it, so sessions survive restarts in development."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make() if make else secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


# On SQLite a request spends its time in Python, holding the GIL, and writers queue for one
# lock: with many threads, a signature holding the lock waited for the GIL behind page renders
# while the other writers slept in SQLite's busy handler (docs/benchmarks.md, 2026-12-05: 6
# threads signed 500/s where 40 signed 253/s, and 180/s instead of 23-51/s beside page views).
# On PostgreSQL requests also wait for the database: 6, 12 and 40 (anyio's default) threads gave
# the same throughput within the noise, and the fewer, the shorter the tails during a surge (page
# views' p99 beside signing 0.4 s with 6 or 12, 0.9-1.8 s with 40); 12 leaves room for a
# database on another machine, where each request waits longer.
SQLITE_THREADS = 6
POSTGRES_THREADS = 12
# Public writes (signing, confirming) run on a few threads of their own beside the pool above
# (docs/benchmarks.md, 2026-12-06): on PostgreSQL 2, 4 and 8 signed 624, 579 and 540/s where
# the shared pool signed 301/s, and page views beside a surge got the CPU back with 2 or 4
# (8 shared it as the old pool did); on SQLite, one write lock, 1 and 2 were alike. Since the
# writes waiting together commit together (2026-12-07), one thread a process does best: the
# writers of a process no longer fight over the GIL and the petition's row, and each batch
# gathers what waited while the one before committed (PostgreSQL: confirming 64-68 % of the
# floor with 1, 47-59 % with 2, 46 % with 4; signing alike, p99 51-82 ms with 1).
SQLITE_WRITER_THREADS = 1
POSTGRES_WRITER_THREADS = 1


def _comma_list(value: Any) -> Any:
    """A list from the environment: its comma-separated items, without blanks; a list as is."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _psycopg_url(value: str) -> str:
    """postgres:// and postgresql:// as SQLAlchemy's psycopg 3 URL; anything else unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value.removeprefix(prefix)
    return value


class Settings(BaseSettings):
    """Every setting of the app; see the table in README.md."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    env: Env = Env.development
    database_url: str = f"sqlite:///{VAR_DIR / 'campaign.db'}"
    # A PostgreSQL read replica for the public pages anyone can load (see docs/deploy.md).
    database_read_url: str = ""
    secret_key: str = ""
    # Keys that encrypt personal data at rest; the first encrypts, all decrypt (rotate-keys).
    data_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    base_url: str = "http://127.0.0.1:8000"
    # The site's onion address (http://xxx.onion), when a Tor onion service serves it too: its
    # public forms are accepted from there, and public pages name it in Onion-Location.
    onion_origin: str = ""
    # Seconds a shared cache (and the browser) may keep a public page before asking again.
    public_page_max_age: int = Field(default=10, ge=0, le=3600)
    smtp_host: str = ""
    smtp_port: int = Field(default=0, ge=0, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: SmtpSecurity = SmtpSecurity.none
    smtp_timeout: float = Field(default=30.0, gt=0)
    # Whether the relay takes SMTPUTF8 (RFC 6531): only then can an address with letters
    # outside ASCII before the @ (тест@пример.бел) be mailed, so only then do the forms accept
    # one. A setting, not a probe of the relay: a form must answer the same way whether or not
    # the relay is reachable at that moment, and the operator knows what their relay offers.
    # International domains need no setting: they always go out as IDNA (xn--...).
    smtp_utf8: bool = False
    mail_from: str = "campaign <noreply@campaign.localhost>"
    default_locale: str = "en"
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # An IPv6 client is counted by its network: one home or phone gets a whole /64 to rotate in.
    ipv6_prefix_length: int = 64
    dev_mail_dir: Path = VAR_DIR / "mail"
    upload_dir: Path = VAR_DIR / "uploads"
    login_limit_per_account: str = "5/15minutes"
    login_limit_per_client: str = "30/15minutes"
    session_max_age_hours: int = Field(default=12, ge=1)
    signature_confirm_days: int = Field(default=7, ge=1, le=90)
    # Months after a petition closes before its signers' names, addresses and cities are erased.
    retention_months: int = Field(default=6, ge=1, le=120)
    # Days a sent (or failed, or withdrawn) mail's copy stays in the outbox.
    outbox_keep_days: int = Field(default=30, ge=1, le=365)
    sign_limit_burst: str = "5/minute"
    sign_limit_sustained: str = "30/hour"
    sign_min_fill_seconds: float = Field(default=3.0, ge=0)
    # Mail a client's requests cause once it is over its limits goes out after everyone else's,
    # and past this many an hour not at all (many supporters may share one address).
    over_limit_mail_per_client: str = "50/hour"
    # Signatures' mail one client gets at normal priority across all petitions: the sign limits
    # count per petition, so without this a client could have each open petition mail its own
    # 30 an hour ahead of genuine confirmations.
    sign_mail_limit_per_client: str = "60/hour"
    # A PDF costs a few hundred milliseconds of CPU: the public ones are limited per client.
    pdf_limit_per_client: str = "20/hour"
    # Requests each partner API token (its system is the client) may make: enough for a
    # CRM's sync, not for a runaway loop.
    partner_api_limit_per_client: str = "600/minute"
    # Letters supporters mail or print themselves are counted on their word: one client's word
    # counts only this many letters per campaign (a post to three officials is three), so a
    # script cannot inflate "letters so far".
    letter_count_limit_per_client: str = "10/day"
    # Letters an official must have been sent in a campaign (by e-mail through the site and by
    # supporters themselves) before the public table shows their answers: fewer say nothing.
    answers_min_letters: int = Field(default=10, ge=1, le=100_000)
    # Letters one volunteer may log a day: to one person, and in all (one account must not be
    # able to bury a prisoner under logged letters).
    volunteer_letters_per_prisoner_per_day: int = Field(default=3, ge=1, le=100)
    volunteer_letters_per_day: int = Field(default=30, ge=1, le=1000)
    # Routes run in a thread pool; 0 picks by database (SQLITE_THREADS, POSTGRES_THREADS).
    request_threads: int = Field(default=0, ge=0, le=200)
    # Signing and confirming run on threads of their own; 0 picks by database.
    writer_threads: int = Field(default=0, ge=0, le=200)
    # How many waiting public writes one transaction may commit together (1: each alone).
    writer_batch: int = Field(default=16, ge=1, le=1000)
    trending_threshold: int = Field(default=20, ge=1)
    worker_jobs_every: float = Field(default=60.0, gt=0, le=3600)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        value = _comma_list(value)
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"TRUSTED_PROXIES: {item!r} is not an IP address or network"
                ) from exc
        return value

    @field_validator("ipv6_prefix_length", mode="before")
    @classmethod
    def _ipv6_prefix(cls, value: Any) -> int:
        try:
            length = int(value)
        except (TypeError, ValueError):
            length = -1
        if not 32 <= length <= 128:
            raise ValueError(f"{value!r} is not a prefix length from 32 to 128 (64: one network)")
        return length

    @field_validator("data_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        value = _comma_list(value)
        for item in value:
            parse_key(item)
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = _psycopg_url(value)
        if not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
        return value

    @field_validator("database_read_url")
    @classmethod
    def _replica(cls, value: str) -> str:
        value = _psycopg_url(value.strip())
        if value and not value.startswith("postgresql+psycopg://"):
            raise ValueError("DATABASE_READ_URL must start with postgresql:// (a read replica)")
        return value

    @field_validator(
        "login_limit_per_account",
        "login_limit_per_client",
        "sign_limit_burst",
        "sign_limit_sustained",
        "pdf_limit_per_client",
        "letter_count_limit_per_client",
        "over_limit_mail_per_client",
        "sign_mail_limit_per_client",
        "partner_api_limit_per_client",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate such as 5/minute or 30/hour") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("BASE_URL must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("onion_origin")
    @classmethod
    def _an_onion_origin(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return ""
        scheme, _, host = value.partition("://")
        if scheme not in ("http", "https") or not host.endswith(".onion") or "/" in host:
            raise ValueError("ONION_ORIGIN must be an origin such as http://xxxx.onion")
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
        return value

    @model_validator(mode="after")
    def _complete_for_env(self) -> Settings:
        if self.database_read_url and self.is_sqlite:
            raise ValueError("DATABASE_READ_URL needs DATABASE_URL on PostgreSQL too")
        if self.env is Env.production:
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be set to a random value of 32+ characters")
            if not self.data_keys:
                raise ValueError("DATA_KEYS must be set in production (campaign generate-key)")
            if not self.smtp_host:
                raise ValueError("SMTP_HOST must be set in production")
            if not self.base_url.startswith("https://"):
                raise ValueError("BASE_URL must be the public https:// address in production")
            if self.mail_from.rstrip(">").endswith(".localhost"):
                raise ValueError("MAIL_FROM must be a real sender address in production")
        else:
            if not self.secret_key:
                self.secret_key = local_secret(VAR_DIR / "secret_key")
            if not self.data_keys:
                self.data_keys = [local_secret(VAR_DIR / "data_key", make=new_key)]
            if not self.smtp_host:
                self.smtp_host = "127.0.0.1"
                self.smtp_port = self.smtp_port or 1025
        if not self.smtp_port:
            self.smtp_port = {"none": 25, "starttls": 587, "tls": 465}[self.smtp_security.value]
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Env.production

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def site_origins(self) -> frozenset[str]:
        """The origins this site's own pages are served from: BASE_URL's, and the onion's."""
        scheme, _, rest = self.base_url.partition("://")
        own = f"{scheme}://{rest.split('/', 1)[0]}".lower()
        return frozenset(filter(None, (own, self.onion_origin.lower())))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def threads_per_process(self) -> int:
        """How many requests one app process runs at once (the rest wait their turn)."""
        if self.request_threads:
            return self.request_threads
        return SQLITE_THREADS if self.is_sqlite else POSTGRES_THREADS

    @property
    def writer_threads_per_process(self) -> int:
        """How many public writes (signatures, confirmations) one app process runs at once."""
        if self.writer_threads:
            return self.writer_threads
        return SQLITE_WRITER_THREADS if self.is_sqlite else POSTGRES_WRITER_THREADS


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation failure into one readable ConfigError line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{field}: {message}" if field else message)
        raise ConfigError("; ".join(problems)) from None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
