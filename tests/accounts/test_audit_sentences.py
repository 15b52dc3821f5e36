"""Audit entries read as sentences in the organiser's language ("Alesia exported the signatures of
«Free Anna»"), on the install's trail and on an organisation's own; codes nobody described still
read as words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from campaign.accounts.models import User
from campaign.accounts.service.accounts import create_organiser
from campaign.core import audit
from campaign.core.db import transaction
from campaign.letters.models import LetterCampaign
from campaign.petitions.models import Petition
from tests.conftest import PASSWORD, log_in, with_two_factor
from tests.factories import make_letter_campaign, make_member, make_petition, organisation

SENTENCE = re.compile(r"<tr><td>[\d: -]+</td><td>([^<]+)</td>")


def sentences(page: str) -> list[str]:
    return [s.replace("&#34;", '"').replace("&#39;", "'") for s in SENTENCE.findall(page)]


def on_petition(
    session: Session, author: User | None, action: str, petition: Petition, **details: object
) -> audit.AuditEvent:
    return audit.record(
        session, by=author, action=action, target=f"petition:{petition.id}", **details
    )


def alesia(engine: Engine) -> User:
    """An owner of the tests' organisation, named Alesia, with two-factor login."""
    with transaction(engine) as session:
        user = create_organiser(
            session, email="alesia@example.org", password=PASSWORD, name="Alesia"
        )
    make_member(engine, user.id)
    return with_two_factor(engine, user)


def test_an_export_reads_as_who_exported_what_on_the_organisations_trail(
    client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Anna")
    log_in(client, alesia(engine).email)
    assert client.get(f"/admin/petitions/{petition.id}/export/signatures.csv").status_code == 200
    assert client.get(f"/admin/petitions/{petition.id}/export/by-day.csv").status_code == 200
    page = client.get(f"/admin/organisations/{organisation(engine)}/audit").text
    said = sentences(page)
    assert said[:2] == [
        "Alesia exported the counts per day of «Free Anna»",
        "Alesia exported the signatures of «Free Anna»",
    ]
    assert "petition.exported" not in page


def test_entries_name_campaigns_people_and_counts_on_the_installs_trail(
    client: TestClient, engine: Engine, admin: User
) -> None:
    petition = make_petition(engine, title="Free Anna")
    campaign = make_letter_campaign(engine, title="Write for Anna")
    with transaction(engine) as session:
        author = session.get(User, admin.id)
        audit.record(
            session,
            by=author,
            action="letters.campaign_close",
            target=f"letter_campaign:{campaign.id}",
        )
        on_petition(session, author, "petition.invalidated", petition, count=1, reason="spam")
        on_petition(session, author, "petition.invalidated", petition, count=12)
        audit.record(session, by=None, action="account.created", target=f"user:{admin.id}")
    log_in(client, admin.email)
    said = sentences(client.get("/admin/audit").text)
    assert said[1:5] == [
        "An account was created for admin",
        "admin invalidated 12 signatures of «Free Anna»",
        "admin invalidated 1 signature of «Free Anna»",
        "admin closed the letter campaign «Write for Anna»",
    ]


def test_an_action_nobody_described_still_reads_as_words(engine: Engine) -> None:
    petition = make_petition(engine, title="Free Anna")
    with transaction(engine) as session:
        author = session.get(User, alesia(engine).id)
        known = on_petition(session, author, "petition.invalidated", petition)  # no count
        new = on_petition(session, author, "petition.star_added", petition)
        nobody = audit.record(session, by=None, action="site.cleaned_up")
        shown = [r.sentence for r in audit.readable(session, [new, known, nobody])]
    assert shown == [
        "Alesia: petition · star added (Free Anna)",
        "Alesia: petition · invalidated (Free Anna)",
        "The application: site · cleaned up",
    ]


def test_a_campaign_is_named_even_when_its_entry_has_no_title(engine: Engine) -> None:
    campaign = make_letter_campaign(engine, title="Write for Anna")
    with transaction(engine) as session:
        found = session.get(LetterCampaign, campaign.id)
        assert found is not None
        event = audit.record(
            session, by=None, action="letters.counts_exported", target=f"letter_campaign:{found.id}"
        )
        [entry] = audit.readable(session, [event])
    assert entry.sentence == "The application exported the counts of «Write for Anna»"


def test_updates_won_petitions_and_official_responses_read_as_sentences(
    client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Anna")
    author = alesia(engine)
    org = organisation(engine)
    with transaction(engine) as session:
        by = session.get(User, author.id)
        on_petition(
            session,
            by,
            "petition.update_scheduled",
            petition,
            organisation_id=org,
            subject="Day 100",
        )
        on_petition(
            session,
            by,
            "petition.update_cancelled",
            petition,
            organisation_id=org,
            subject="Day 100",
        )
        on_petition(
            session, by, "petition.update_discarded", petition, organisation_id=org, subject="Draft"
        )
        on_petition(
            session,
            by,
            "petition.update_translated",
            petition,
            organisation_id=org,
            locale="be",
            kept=True,
        )
        on_petition(session, by, "petition.won", petition, organisation_id=org)
        on_petition(
            session, by, "petition.response_added", petition, organisation_id=org, document=True
        )
        on_petition(
            session,
            None,
            "petition.update_sent",
            petition,
            organisation_id=org,
            count=2,
            subject="Day 100",
        )
    log_in(client, author.email)
    said = sentences(client.get(f"/admin/organisations/{org}/audit").text)
    assert said[:7] == [
        "The application mailed the update “Day 100” of «Free Anna» to 2 signers",
        "Alesia recorded an official response to «Free Anna»",
        "Alesia marked «Free Anna» as won",
        "Alesia wrote a version of an update of «Free Anna» in another language",
        "Alesia discarded the draft update “Draft” of «Free Anna»",
        "Alesia cancelled the scheduled update “Day 100” of «Free Anna»",
        "Alesia scheduled the update “Day 100” of «Free Anna»",
    ]
