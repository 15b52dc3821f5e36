"""Confirming a signature: the page names the petition, gives the new count and what to do next
(the letter campaign that goes with it, plain share links); the "check your e-mail" page and the
mail give the link the same validity; a used link says so, with no button."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.content.service import save_version
from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.models import LetterCampaign
from campaign.petitions.models import Petition
from tests.conftest import csrf_from
from tests.factories import add_signature, link_in, make_letter_campaign, make_petition, send_mail
from tests.letters.test_journey import review, send
from tests.petitions.conftest import sign_form as sign
from tests.smtp_server import SmtpServer

VALIDITY = re.compile(r"The link works for (\d+) days?\.")


@pytest.fixture
def petition(engine: Engine) -> Petition:
    petition = make_petition(engine, title="Free Maria Kalesnikava", slug="free-maria")
    with transaction(engine) as session:
        save_version(session, "petition", petition, "be", {"title": "Вызваліце Марыю"})
    return petition


def mailed_link(engine: Engine, settings: Settings, smtp: SmtpServer, email: str) -> str:
    send_mail(engine, settings)
    mail = smtp.handler.to(email)[-1]
    return link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")  # type: ignore[union-attr]


def press_confirm(client: TestClient, link: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/petitions/free-maria/confirm?lang={lang}",
        data={
            "token": link.split("token=")[1].split("&")[0],
            "csrf_token": csrf_from(client, link),
        },
    )


def test_the_confirmation_page_names_the_petition_the_new_count_and_what_to_do_next(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    add_signature(engine, settings, petition, email="earlier@example.org")  # one counted already
    letters: LetterCampaign = make_letter_campaign(engine, petition_id=petition.id)
    sign(client, "free-maria", email="maria-fan@example.org")
    link = mailed_link(engine, settings, smtp, "maria-fan@example.org")
    done = press_confirm(client, link, lang="be")
    assert done.status_code == 200
    assert "Вызваліце Марыю" in done.text  # the title in the signer's language
    assert '<p class="count"><strong>2 подпісы</strong>' in done.text  # the new count
    assert f'href="/letters/{letters.slug}"' in done.text and letters.title in done.text
    assert "https://t.me/share/url?url=" in done.text
    assert "<script" not in done.text and 'src="http' not in done.text  # plain links only


def test_without_a_letter_campaign_the_next_step_is_sharing(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    make_letter_campaign(engine)  # another petition's campaign is not offered
    closed = make_letter_campaign(engine, petition_id=petition.id, status="closed")
    sign(client, "free-maria", email="maria-fan@example.org")
    done = press_confirm(client, mailed_link(engine, settings, smtp, "maria-fan@example.org"))
    assert "1 signature" in done.text and "Free Maria Kalesnikava" in done.text
    assert "/letters/" not in done.text and closed.title not in done.text
    assert "https://wa.me/?text=" in done.text


def test_a_used_link_says_it_is_already_confirmed_and_has_no_button(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    sign(client, "free-maria", email="maria-fan@example.org")
    link = mailed_link(engine, settings, smtp, "maria-fan@example.org")
    assert "<button" in client.get(link).text  # unused: the button to confirm
    assert press_confirm(client, link).status_code == 200
    again = client.get(link)
    assert again.status_code == 200
    assert "Your signature is already confirmed" in again.text
    assert "1 signature" in again.text and "Free Maria Kalesnikava" in again.text
    assert "<button" not in again.text and 'method="post"' not in again.text


def test_the_check_your_mail_pages_and_the_mails_give_the_same_validity(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"signature_confirm_days": 5}
    )
    settings = client.app.state.settings  # type: ignore[attr-defined]
    thanks = client.get(sign(client, "free-maria").headers["location"])
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("ana@example.org")
    on_page = VALIDITY.findall(thanks.text)
    in_mail = VALIDITY.findall(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert on_page == in_mail == ["5"]

    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    checking = send(client, campaign, data, channel="email", email="writer@example.org")
    page = client.get(checking.headers["location"]).text
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("writer@example.org")
    in_mail = VALIDITY.findall(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert VALIDITY.findall(page) == in_mail == ["5"]
