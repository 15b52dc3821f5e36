"""Confirming a signature: the page names the petition, gives the new count and what to do next
(the letter campaign that goes with it, plain share links); the "check your e-mail" page and the
mail give the link the same validity; a used link says so, with no button."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.content.service import save_version
from campaign.core.db import transaction
from campaign.core.settings import Settings
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


@dataclass
class Signer:
    """A supporter signing "free-maria" through the form, with the mail they get."""

    client: TestClient
    engine: Engine
    settings: Settings
    smtp: SmtpServer

    def sign(self, email: str) -> str:
        """Sign with this address; the confirmation link in the mail that follows."""
        sign(self.client, "free-maria", email=email)
        send_mail(self.engine, self.settings)
        mail = self.smtp.handler.to(email)[-1]
        return link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")  # type: ignore[union-attr]

    def confirm(self, link: str, lang: str = "en"):  # type: ignore[no-untyped-def]
        """Press the button of the link's page."""
        return self.client.post(
            f"/petitions/free-maria/confirm?lang={lang}",
            data={
                "token": link.split("token=")[1].split("&")[0],
                "csrf_token": csrf_from(self.client, link),
            },
        )


@pytest.fixture
def signer(
    client: TestClient, quick, engine: Engine, settings: Settings, smtp: SmtpServer
) -> Signer:
    return Signer(client, engine, settings, smtp)


def test_the_confirmation_page_names_the_petition_the_new_count_and_what_to_do_next(
    signer: Signer, petition: Petition
) -> None:
    add_signature(signer.engine, signer.settings, petition, email="earlier@example.org")
    letters = make_letter_campaign(signer.engine, petition_id=petition.id)
    done = signer.confirm(signer.sign("maria-fan@example.org"), lang="be")
    assert done.status_code == 200
    assert "Вызваліце Марыю" in done.text  # the title in the signer's language
    assert '<p class="count"><strong>2 подпісы</strong>' in done.text  # the new count
    assert f'href="/letters/{letters.slug}"' in done.text and letters.title in done.text
    assert "https://t.me/share/url?url=" in done.text
    assert "<script" not in done.text and 'src="http' not in done.text  # plain links only


def test_without_a_letter_campaign_the_next_step_is_sharing(
    signer: Signer, petition: Petition
) -> None:
    make_letter_campaign(signer.engine)  # another petition's campaign is not offered
    closed = make_letter_campaign(signer.engine, petition_id=petition.id, status="closed")
    done = signer.confirm(signer.sign("maria-fan@example.org"))
    assert "1 signature" in done.text and "Free Maria Kalesnikava" in done.text
    assert "/letters/" not in done.text and closed.title not in done.text
    assert "https://wa.me/?text=" in done.text


def test_a_used_link_says_it_is_already_confirmed_and_has_no_button(
    signer: Signer, petition: Petition
) -> None:
    link = signer.sign("maria-fan@example.org")
    assert "<button" in signer.client.get(link).text  # unused: the button to confirm
    assert signer.confirm(link).status_code == 200
    again = signer.client.get(link)
    assert again.status_code == 200
    assert "Your signature is already confirmed" in again.text
    assert "1 signature" in again.text and "Free Maria Kalesnikava" in again.text
    assert "<button" not in again.text and 'method="post"' not in again.text


def validity_in_mail(signer: Signer, email: str) -> list[str]:
    send_mail(signer.engine, signer.settings)
    (mail,) = signer.smtp.handler.to(email)
    return VALIDITY.findall(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def test_the_check_your_mail_pages_and_the_mails_give_the_same_validity(
    signer: Signer, petition: Petition
) -> None:
    client = signer.client
    signer.settings = signer.settings.model_copy(update={"signature_confirm_days": 5})
    client.app.state.settings = signer.settings  # type: ignore[attr-defined]
    thanks = client.get(sign(client, "free-maria").headers["location"])
    assert VALIDITY.findall(thanks.text) == validity_in_mail(signer, "ana@example.org") == ["5"]

    campaign = make_letter_campaign(signer.engine)
    _, data = review(client, campaign)
    checking = send(client, campaign, data, channel="email", email="writer@example.org")
    page = client.get(checking.headers["location"]).text
    assert VALIDITY.findall(page) == validity_in_mail(signer, "writer@example.org") == ["5"]
