"""/admin opens on figures: signatures today and in seven days per open petition, letters waiting
and sent, for the organisations one is a member of (any role); the register's people without
mail for 60 days; the outbox's health."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import col, func, select

from campaign.accounts.models import Membership, OrgRole, User
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.letters.models import CampaignTarget, LetterCount, LetterEvent
from campaign.mail.models import MailStatus, OutboxMessage
from campaign.petitions.models import Petition, PetitionStatus, Signature
from campaign.prisoners.models import PrisonerStatus
from tests.conftest import add_user, log_in
from tests.factories import (
    add_signature,
    log_letters,
    make_letter_campaign,
    make_member,
    make_petition,
    make_prisoner,
    organisation,
    queue_mail,
)
from tests.letters.test_delivery import confirm_all, write

OTHER = "Other organisation"
FIGURE = re.compile(r"<dt>([^<]+)</dt><dd>(?:<a [^>]*>)?([^<]+)")


def petition_rows(page: str) -> list[tuple[str, str, str]]:
    """(title, today, last 7 days) per row of the signatures table."""
    return re.findall(
        r'<tr><th scope="row"><a href="/admin/petitions/\d+">([^<]+)</a></th>'
        r'<td class="number">([^<]+)</td><td class="number">([^<]+)</td></tr>',
        page,
    )


def figures_seen_by(client: TestClient, user: User) -> dict[str, str]:
    """The figures /admin shows this organiser, by their label."""
    log_in(client, user.email)
    return dict(FIGURE.findall(client.get("/admin").text))


def sign(engine: Engine, settings: Settings, petition: Petition, who: str, **kw: bool) -> None:
    add_signature(engine, settings, petition, email=f"{who}@example.org", ip=who, **kw)


def backdate(engine: Engine, petition: Petition, days: int) -> None:
    """Move this petition's signatures confirmed in the last hour `days` days back."""
    with transaction(engine) as session:
        session.execute(
            update(Signature)
            .where(
                col(Signature.petition_id) == petition.id,
                col(Signature.confirmed_at) > utcnow() - timedelta(hours=1),
            )
            .values(confirmed_at=utcnow() - timedelta(days=days))
        )


def test_the_front_page_counts_signatures_of_ones_own_open_petitions(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    mine = make_petition(engine, title="Free Anna")
    quiet = make_petition(engine, title="Free Boris")
    make_petition(engine, title="Draft for Vera", status=PetitionStatus.draft)
    theirs = make_petition(
        engine, title="Free Their Prisoner", organisation_id=organisation(engine, OTHER)
    )
    sign(engine, settings, mine, "old")
    backdate(engine, mine, 10)  # outside the seven days
    sign(engine, settings, mine, "midweek")
    backdate(engine, mine, 3)
    sign(engine, settings, mine, "today1")
    sign(engine, settings, mine, "today2")
    sign(engine, settings, mine, "pending", confirm=False)
    sign(engine, settings, mine, "suspect")
    with transaction(engine) as session:
        newest = session.exec(select(func.max(Signature.id))).one()
        session.execute(update(Signature).where(col(Signature.id) == newest).values(suspect=True))
    sign(engine, settings, theirs, "elsewhere")

    log_in(client, organiser.email)
    page = client.get("/admin").text
    assert petition_rows(page) == [("Free Anna", "2", "3"), ("Free Boris", "0", "0")]
    assert "Free Their Prisoner" not in page and "Draft for Vera" not in page
    assert quiet.title in page


def test_letters_waiting_and_sent_are_counted_for_ones_own_campaigns_only(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    mine = make_letter_campaign(engine)
    theirs = make_letter_campaign(engine, organisation_id=organisation(engine, OTHER))
    write(engine, settings, mine, "ana@example.org")  # two letters, confirmed below: waiting
    write(engine, settings, theirs, "bo@example.org")
    confirm_all(engine, settings, mine)
    confirm_all(engine, settings, theirs)
    write(engine, settings, mine, "cy@example.org")  # two letters, never confirmed: held
    with transaction(engine) as session:
        official = session.exec(select(CampaignTarget.official_id)).first()
        for campaign, sent in ((mine, 4), (theirs, 7)):
            session.add(
                LetterCount(
                    campaign_id=campaign.id,  # type: ignore[arg-type]
                    official_id=official,  # type: ignore[arg-type]
                    day=date.today(),
                    event=LetterEvent.sent,
                    count=sent,
                )
            )

    shown = figures_seen_by(client, organiser)
    assert shown["Letters to officials waiting to go"] == "2"
    assert shown["Letters to officials sent"] == "4"


def test_prisoners_without_mail_for_sixty_days_are_counted(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    today = date.today()
    log_letters(engine, make_prisoner(engine), today - timedelta(days=70))
    log_letters(engine, make_prisoner(engine), today - timedelta(days=10))
    make_prisoner(engine)  # never a letter
    make_prisoner(engine, status=PrisonerStatus.released)
    make_prisoner(engine, accepts_letters=False)
    shown = figures_seen_by(client, organiser)
    assert shown["Prisoners without mail for 60 days or more"] == "2"


def test_the_outbox_health_shows_queued_retried_failed_and_the_oldest_wait(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    queue_mail(engine, 4)
    with transaction(engine) as session:
        ids = session.exec(select(OutboxMessage.id).order_by(col(OutboxMessage.id))).all()
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == ids[0])
            .values(created_at=utcnow() - timedelta(hours=2, minutes=5, seconds=30))
        )
        session.execute(
            update(OutboxMessage).where(col(OutboxMessage.id) == ids[1]).values(attempts=2)
        )
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == ids[2])
            .values(status=MailStatus.failed, attempts=8)
        )
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == ids[3])
            .values(status=MailStatus.sent, created_at=utcnow() - timedelta(days=3))
        )
    shown = figures_seen_by(client, organiser)
    assert shown["Messages in the outbox"] == "2"
    assert shown["Messages being retried"] == "1"
    assert shown["Messages that failed"] == "1"
    assert shown["Oldest message waiting"] == "2 h 5 min"


def test_an_empty_outbox_has_no_oldest_message(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    shown = figures_seen_by(client, organiser)
    assert shown["Messages in the outbox"] == "0"
    assert shown["Oldest message waiting"] == "none"


def test_a_viewer_sees_the_figures_and_a_member_of_another_organisation_does_not(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, title="Free Anna")
    sign(engine, settings, petition, "one")
    viewer = add_user(engine, "viewer@example.org")
    make_member(engine, viewer.id, role=OrgRole.viewer)
    log_in(client, viewer.email)
    assert petition_rows(client.get("/admin").text) == [("Free Anna", "1", "1")]

    client.cookies.clear()
    outsider = add_user(engine, "outsider@example.org")
    make_member(engine, outsider.id, role=OrgRole.owner, name=OTHER)
    with transaction(engine) as session:  # only in the other organisation
        session.execute(
            Membership.__table__.delete().where(  # type: ignore[attr-defined]
                (Membership.user_id == outsider.id)
                & (Membership.organisation_id == organisation(engine))
            )
        )
    log_in(client, outsider.email)
    page = client.get("/admin").text
    assert petition_rows(page) == []
    assert "None of your organisations has an open petition." in page
