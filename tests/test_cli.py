"""The `campaign` command: what it lists, and one clear line (exit 2) when set up wrong."""

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from campaign.accounts.models import Membership, Organisation, OrgRole, User
from campaign.core.crypto import new_key, parse_key, use_keys
from campaign.core.db import make_engine, transaction
from campaign.core.settings import PROJECT_DIR
from campaign.letters.models import LetterCampaign, LetterTemplate, Official
from campaign.mail.models import OutboxMessage
from campaign.petitions.models import (
    PartnerConsent,
    Petition,
    PetitionPartner,
    PetitionStatus,
    PetitionTally,
    Signature,
)
from campaign.site.cli import ORG_ROLES
from tests.conftest import TEST_DATA_KEY, TEST_SECRET
from tests.factories import organisation
from tests.smtp_server import free_port


def campaign(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEY,
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "campaign", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_DIR,
        timeout=timeout,
    )


def assert_one_clean_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_help_lists_every_command() -> None:
    result = campaign("--help")
    assert result.returncode == 0
    commands = ["migrate", "serve", "worker", "create-organisation", "create-organiser", "demo"]
    for command in commands:
        assert command in result.stdout
    assert tuple(OrgRole) == ORG_ROLES  # spelled out in the CLI so that --help stays quick


def test_an_unreachable_database_is_one_line_and_exit_2() -> None:
    result = campaign("migrate", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert_one_clean_line(result, "DATABASE_URL", "cannot reach the database")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # a replica needs PostgreSQL
def test_an_unreachable_read_replica_is_one_line_and_exit_2(db_url: str) -> None:
    unreachable = "postgresql://nobody@127.0.0.1:1/none"
    environ = {"DATABASE_URL": db_url, "DATABASE_READ_URL": unreachable}
    result = campaign("serve", "--port", "1", env=environ)
    assert_one_clean_line(result, "DATABASE_READ_URL", "cannot reach the database")


def test_a_malformed_database_url_is_one_line_and_exit_2() -> None:
    result = campaign("serve", env={"DATABASE_URL": "mysql://localhost/x"})
    assert_one_clean_line(result, "DATABASE_URL")


def test_production_without_a_real_secret_refuses_to_start() -> None:
    result = campaign(
        "serve",
        env={"ENV": "production", "SECRET_KEY": "changeme", "SMTP_HOST": "mail.example.org"},
    )
    assert_one_clean_line(result, "SECRET_KEY")


def test_a_bad_smtp_setting_is_one_line_and_exit_2() -> None:
    result = campaign("worker", env={"SMTP_SECURITY": "ssl3"})
    assert_one_clean_line(result, "SMTP_SECURITY")


def test_the_worker_refuses_to_start_without_an_smtp_server(db_url: str) -> None:
    result = campaign(
        "worker", "--once", env={"DATABASE_URL": db_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1"}
    )
    assert_one_clean_line(result, "SMTP_HOST", "cannot reach the SMTP server")


def test_create_organiser_reads_the_password_from_stdin(db_url: str, engine: Engine) -> None:
    result = campaign(
        "create-organiser",
        "Lena@Example.org",
        "--admin",
        env={"DATABASE_URL": db_url},
        stdin="a long enough password\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created admin lena@example.org" in result.stdout
    with Session(engine) as session:
        user = session.exec(select(User)).one()
    assert user.is_admin and user.password_hash.startswith("$argon2id$")


def test_create_organiser_explains_a_weak_password(db_url: str) -> None:
    result = campaign(
        "create-organiser", "lena@example.org", env={"DATABASE_URL": db_url}, stdin="short\n"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "campaign: password: Use at least 12 characters."


def test_organisations_and_their_members_from_the_command_line(db_url: str, engine: Engine) -> None:
    env = {"DATABASE_URL": db_url}
    created = campaign("create-organisation", "  Solidarity   Centre ", env=env)
    assert created.returncode == 0, created.stderr
    assert created.stdout == "campaign: created organisation Solidarity Centre\n"
    for name, error in [
        ("Solidarity Centre", "exists already"),
        (" ", "Enter the"),
        ("x" * 201, "at most 200"),
    ]:
        refused = campaign("create-organisation", name, env=env)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.startswith("campaign: name: ") and error in refused.stderr
        assert len(refused.stderr.splitlines()) == 1
    password = "a long enough password\n"
    steward = campaign(
        "create-organiser",
        "ona@example.org",
        "--organisation",
        "Solidarity Centre",
        "--role",
        "steward",
        env=env,
        stdin=password,
    )
    assert steward.returncode == 0, steward.stderr
    assert steward.stdout == (
        "campaign: created organiser ona@example.org, steward of Solidarity Centre\n"
    )
    campaigner = campaign(
        "create-organiser",
        "jonas@example.org",
        "--admin",
        "--organisation",
        "Solidarity Centre",
        env=env,
        stdin=password,
    )
    assert campaigner.returncode == 0, campaigner.stderr
    assert "created admin jonas@example.org, campaigner of Solidarity Centre" in campaigner.stdout
    with Session(engine) as session:
        [centre] = session.exec(select(Organisation)).all()
        members = session.exec(select(User.email, Membership.role).join(Membership)).all()
    assert centre.name == "Solidarity Centre"
    assert sorted(members) == [("jonas@example.org", "campaigner"), ("ona@example.org", "steward")]


def test_create_organiser_refuses_an_unknown_organisation_or_a_role_alone(
    db_url: str, engine: Engine
) -> None:
    env = {"DATABASE_URL": db_url}
    stdin = "a long enough password\n"
    unknown = campaign(
        "create-organiser", "ona@example.org", "--organisation", "Nobody", env=env, stdin=stdin
    )
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr == "campaign: organisation: there is no organisation named 'Nobody'\n"
    alone = campaign("create-organiser", "ona@example.org", "--role", "owner", env=env, stdin=stdin)
    assert alone.returncode == 1 and alone.stdout == ""
    assert alone.stderr == "campaign: --role needs --organisation NAME\n"
    wrong = campaign(
        "create-organiser", "ona@example.org", "--organisation", "X", "--role", "boss", env=env
    )
    assert wrong.returncode == 2 and "boss" in wrong.stderr  # click's own usage error
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
        assert session.exec(select(Membership)).all() == []


def test_migrate_and_demo_can_run_twice(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    for _ in range(2):
        assert campaign("migrate", env=env).returncode == 0
    first, second = campaign("demo", env=env), campaign("demo", env=env)
    assert "demo content loaded" in first.stdout
    assert "demo content already there" in second.stdout
    assert "demo@example.org / " in second.stdout
    from campaign.content.models import ContentVersion

    use_keys([TEST_DATA_KEY])  # the key the commands ran with, whatever ran before this test
    engine = make_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        assert len(session.exec(select(User)).all()) == 1
        assert len(session.exec(select(OutboxMessage)).all()) == 1
        assert len(session.exec(select(Official)).all()) == 3
        [letter_campaign] = session.exec(select(LetterCampaign)).all()
        assert letter_campaign.status == "open"
        assert {t.language for t in session.exec(select(LetterTemplate)).all()} == {
            "be",
            "en",
            "ru",
        }
        petitions = session.exec(select(Petition)).all()
        assert len(petitions) == 2
        organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()}
        assert sorted(organisations.values()) == ["Diaspora for Freedom", "Solidarity Centre"]
        owners = {
            organisations[m.organisation_id]: m.role for m in session.exec(select(Membership))
        }
        assert owners == {"Solidarity Centre": "owner"}  # the demo account's only membership
        assert {(p.slug, organisations[p.organisation_id]) for p in petitions} == {
            ("free-anna-kavalchuk", "Solidarity Centre"),
            ("release-all-political-prisoners", "Diaspora for Freedom"),
        }
        assert organisations[letter_campaign.organisation_id] == "Solidarity Centre"
        # A coalition petition: Diaspora for Freedom's, with Solidarity Centre as its partner,
        # which about a third of the signers let contact them.
        [partnership] = session.exec(select(PetitionPartner)).all()
        assert organisations[partnership.organisation_id] == "Solidarity Centre"
        coalition_petition = session.get(Petition, partnership.petition_id)
        assert coalition_petition.slug == "release-all-political-prisoners"  # type: ignore[union-attr]
        consenting = session.exec(select(func.count()).select_from(PartnerConsent)).one()
        assert 60 < consenting < 110
        versions = session.exec(select(ContentVersion)).all()
        assert {(v.kind, v.locale) for v in versions} == {
            (kind, locale)
            for kind in ("petition", "letters", "prisoner", "petition_field")
            for locale in ("be", "ru")
        }
        # both petitions, the campaign, every prisoner (the register's twenty and Anna), and
        # the question of Anna's sign form
        assert len(versions) == 2 * (2 + 1 + 20 + 1 + 1)
        assert all(100 < petition.signature_count < 400 for petition in petitions)
        assert {tally.country for tally in session.exec(select(PetitionTally)).all()} >= {
            "BY",
            "PL",
            "LT",
            "DE",
        }
    engine.dispose()


def test_the_demo_is_refused_in_production() -> None:
    result = campaign(
        "demo",
        env={
            "ENV": "production",
            "SECRET_KEY": "y" * 40,
            "SMTP_HOST": "mail.example.org",
            "BASE_URL": "https://campaign.example.org",
            "MAIL_FROM": "campaign <noreply@campaign.example.org>",
        },
    )
    assert_one_clean_line(result, "development only")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_logs_requests_without_client_addresses(db_url: str, workers: str) -> None:
    port = free_port()
    environment = {
        **os.environ,
        "ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEY,
        "DATABASE_URL": db_url,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "campaign", "serve", "--port", str(port), "--workers", workers],
        env=environment,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz?token=secret-in-query"
                ) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        upgrade = urllib.request.Request(
            f"http://127.0.0.1:{port}/socket?token=secret-in-query",
            headers={
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(upgrade).close()  # noqa: S310
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            assert response.status == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "GET /healthz 200" in output
    assert "GET / 200" in output
    assert "secret-in-query" not in output
    assert "203.0.113.9" not in output
    assert not re.search(r"127\.0\.0\.1:\d+ -", output), output


def test_serve_on_an_unmigrated_database_asks_for_migrate(tmp_path: Path) -> None:
    result = campaign("serve", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert_one_clean_line(result, "campaign migrate")


def test_production_refuses_to_serve_with_the_demo_account(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    assert campaign("migrate", env=env).returncode == 0
    assert campaign("demo", env=env).returncode == 0
    production = {
        **env,
        "ENV": "production",
        "SECRET_KEY": "p" * 40,
        "SMTP_HOST": "mail.example.org",
        "BASE_URL": "https://campaign.example.org",
        "MAIL_FROM": "campaign <noreply@campaign.example.org>",
    }
    assert_one_clean_line(campaign("serve", env=production), "demo account")


def test_keys_rotate_from_the_command_line_and_a_missing_key_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    env = {"DATABASE_URL": url}
    assert campaign("migrate", env=env).returncode == 0
    use_keys([TEST_DATA_KEY])
    engine = make_engine(url)
    organisation_id = organisation(engine)
    with transaction(engine) as session:
        petition = Petition(
            slug="p", title="P", status=PetitionStatus.open, organisation_id=organisation_id
        )
        session.add(petition)
        session.flush()
        session.add(
            Signature(
                petition_id=petition.id,
                name="Ana",
                email="ana@example.org",
                email_hash="h",
                country="BY",
            )  # type: ignore[arg-type]
        )
    engine.dispose()
    fresh = new_key()
    assert len(parse_key(campaign("generate-key").stdout.strip())) == 32
    rotated = campaign("rotate-keys", env={**env, "DATA_KEYS": f"{fresh},{TEST_DATA_KEY}"})
    assert rotated.returncode == 0, rotated.stderr
    assert "values re-encrypted" in rotated.stdout and "other keys can leave" in rotated.stdout
    assert not rotated.stdout.startswith("campaign: 0 values")
    again = campaign("rotate-keys", env={**env, "DATA_KEYS": fresh})
    assert again.returncode == 0 and again.stdout.startswith("campaign: 0 values re-encrypted")
    lost = campaign("rotate-keys", env={**env, "DATA_KEYS": new_key()})
    assert lost.returncode == 1 and "Traceback" not in lost.stderr
    assert len(lost.stderr.strip().splitlines()) == 1 and "DATA_KEYS lacks" in lost.stderr
