"""Settings refuse unsafe values with one readable line."""

from pathlib import Path

import pytest

from campaign.core.crypto import new_key
from campaign.core.settings import ConfigError, load_settings, local_secret

KEY = new_key()


def test_production_refuses_a_placeholder_secret() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env="production", secret_key="changeme", smtp_host="mail.example.org")
    assert "SECRET_KEY" in str(error.value)
    assert "\n" not in str(error.value)


def test_production_refuses_a_missing_smtp_host() -> None:
    with pytest.raises(ConfigError, match="SMTP_HOST"):
        load_settings(env="production", secret_key="x" * 40, data_keys=KEY, smtp_host="")


def test_production_accepts_real_values() -> None:
    settings = load_settings(
        env="production",
        secret_key="x" * 40,
        data_keys=KEY,
        smtp_host="mail.example.org",
        smtp_security="tls",
        base_url="https://campaign.example.org",
        mail_from="campaign <noreply@campaign.example.org>",
    )
    assert settings.is_production
    assert settings.smtp_port == 465


def test_development_keeps_the_same_local_secret(tmp_path: Path) -> None:
    first = local_secret(tmp_path / "secret_key")
    assert len(first) >= 40
    assert local_secret(tmp_path / "secret_key") == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_development_sends_mail_to_the_local_catcher() -> None:
    settings = load_settings(env="development", secret_key="x" * 40, data_keys=KEY, smtp_host="")
    assert (settings.smtp_host, settings.smtp_port) == ("127.0.0.1", 1025)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"database_url": "mysql://x"}, "DATABASE_URL"),
        ({"smtp_security": "ssl3"}, "SMTP_SECURITY"),
        ({"base_url": "example.org"}, "BASE_URL"),
        ({"trusted_proxies": "10.0.0.0/8, not-an-ip"}, "TRUSTED_PROXIES"),
        ({"smtp_port": "70000"}, "SMTP_PORT"),
        ({"data_keys": "not-a-key"}, "DATA_KEYS"),
        ({"request_threads": "-1"}, "REQUEST_THREADS"),
        ({"writer_threads": "-1"}, "WRITER_THREADS"),
    ],
)
def test_bad_values_name_the_setting(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(secret_key="x" * 40, **overrides)
    assert field in str(error.value)


def test_a_read_replica_needs_postgresql_on_both_ends() -> None:
    with pytest.raises(ConfigError, match="DATABASE_READ_URL needs DATABASE_URL on PostgreSQL"):
        load_settings(database_url="sqlite:///x.db", database_read_url="postgresql://r/campaign")
    with pytest.raises(ConfigError, match="DATABASE_READ_URL must start with postgresql://"):
        load_settings(database_read_url="sqlite:///replica.db")
    settings = load_settings(
        database_url="postgres://u@primary/campaign", database_read_url="postgres://u@replica/c"
    )
    assert settings.database_read_url == "postgresql+psycopg://u@replica/c"


def test_postgres_urls_use_psycopg_3() -> None:
    settings = load_settings(secret_key="x" * 40, database_url="postgresql://u@db/campaign")
    assert settings.database_url == "postgresql+psycopg://u@db/campaign"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"base_url": "http://127.0.0.1:8000"}, "BASE_URL"),
        ({"mail_from": "campaign <noreply@campaign.localhost>"}, "MAIL_FROM"),
    ],
)
def test_production_refuses_development_addresses(overrides: dict[str, str], field: str) -> None:
    values = {
        "env": "production",
        "secret_key": "x" * 40,
        "data_keys": KEY,
        "smtp_host": "mail.example.org",
        "base_url": "https://campaign.example.org",
        "mail_from": "campaign <noreply@campaign.example.org>",
        **overrides,
    }
    with pytest.raises(ConfigError, match=field):
        load_settings(**values)


def test_production_refuses_to_run_without_data_keys() -> None:
    with pytest.raises(ConfigError, match="DATA_KEYS"):
        load_settings(
            env="production",
            secret_key="x" * 40,
            smtp_host="mail.example.org",
            base_url="https://campaign.example.org",
            mail_from="campaign <noreply@campaign.example.org>",
        )


def test_data_keys_are_a_comma_separated_list_the_first_of_which_encrypts() -> None:
    first, second = new_key(), new_key()
    settings = load_settings(secret_key="x" * 40, data_keys=f" {first}, {second} ")
    assert settings.data_keys == [first, second]
