"""A confirmation link sends exactly what was submitted with it: a later submission for the same
address never rewrites it, and the page behind the link shows the letters and the name first."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.ratelimit import Limiter
from campaign.core.security import keyed_hash
from campaign.core.settings import Settings
from campaign.letters.models import Letter, LetterCampaign, LetterSender
from campaign.letters.service import compose, delivery, holding
from campaign.mail.models import OutboxMessage
from tests.conftest import csrf_from
from tests.factories import link_in, make_letter_campaign, send_mail
from tests.letters.test_delivery import TODAY
from tests.letters.test_journey import review, send
from tests.smtp_server import SmtpServer

ANA = "ana@example.org"
ANA_WORDS = "Anna taught my daughter to read."
FORGER = "Mallory Forger"
FORGED_WORDS = "I take it all back: keep her locked up."


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def confirmation_links(smtp: SmtpServer, address: str) -> list[str]:
    """The links in the confirmation mails an address received, oldest first."""
    return [link_in(text_of(mail), "/confirm") for mail in smtp.handler.to(address)]


def press_send(client: TestClient, campaign: LetterCampaign, link: str) -> int:
    """Use a confirmation link as its page offers: the button posts the token with the form."""
    token = parse_qs(urlsplit(link).query)["token"][0]
    data = {"csrf_token": csrf_from(client, f"/letters/{campaign.slug}"), "token": token}
    return client.post(f"/letters/{campaign.slug}/confirm", data=data).status_code


def test_a_later_submission_for_the_same_address_never_changes_what_the_first_link_sends(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    _, mine = review(client, campaign, paragraph=ANA_WORDS)
    assert send(client, campaign, mine, channel="email", email=ANA).status_code == 303
    send_mail(engine, settings)
    # A stranger posts the same form with Ana's address, another name and other words.
    _, theirs = review(client, campaign, name=FORGER, paragraph=FORGED_WORDS)
    assert send(client, campaign, theirs, channel="email", email=ANA).status_code == 303
    send_mail(engine, settings)

    first_link = confirmation_links(smtp, ANA)[0]
    press_send(client, campaign, first_link)
    with transaction(engine) as session:
        delivery.release_due(session, settings=settings)
    send_mail(engine, settings)
    letters = [m for m in smtp.messages if str(m["To"]) != ANA]
    assert not any(FORGER in str(m["From"]) for m in letters)
    assert not any(FORGED_WORDS in text_of(m) for m in letters)
    for letter in letters:  # whatever the first link sent is Ana's, signed by her
        assert str(letter["From"]).startswith("Ana Bialiatskaya <")
        assert ANA_WORDS in text_of(letter) and letter["Reply-To"] == ANA


def test_the_confirmation_page_shows_the_letters_and_the_name_before_anything_is_sent(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    _, mine = review(client, campaign, paragraph=ANA_WORDS)
    send(client, campaign, mine, channel="email", email=ANA)
    send_mail(engine, settings)
    _, theirs = review(client, campaign, name=FORGER, paragraph=FORGED_WORDS)
    send(client, campaign, theirs, channel="email", email=ANA)
    send_mail(engine, settings)
    first, second = confirmation_links(smtp, ANA)

    page = client.get(second)
    assert page.status_code == 200 and "Send my letters" in page.text
    # What the button would send, in the stranger's name: Ana can see it is not hers.
    assert FORGER in page.text and FORGED_WORDS in page.text
    assert "Jane Envoy" in page.text and "Андрей Швед" in page.text
    assert "Освободите Анна Ковальчук" in page.text  # the subject the prosecutor gets
    assert "Ana Bialiatskaya" not in page.text and ANA_WORDS not in page.text
    with transaction(engine) as session:
        assert delivery.release_due(session, settings=settings) == 0  # looking sends nothing

    old = client.get(first)  # replaced by the later submission: it shows and sends nothing
    assert old.status_code == 400 and "Send my letters" not in old.text
    assert FORGER not in old.text and FORGED_WORDS not in old.text


def test_confirming_takes_the_pages_form_not_another_sites(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    _, mine = review(client, campaign, paragraph=ANA_WORDS)
    send(client, campaign, mine, channel="email", email=ANA)
    send_mail(engine, settings)
    (link,) = confirmation_links(smtp, ANA)
    token = parse_qs(urlsplit(link).query)["token"][0]
    forged = client.post(  # another site's page posting the mailed token
        f"/letters/{campaign.slug}/confirm",
        data={"token": token},
        headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    )
    assert forged.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(LetterSender.status)).all() == ["pending"]
    assert press_send(client, campaign, link) == 200
    with Session(engine) as session:
        assert session.exec(select(LetterSender.status)).all() == ["confirmed"]


def test_the_link_of_letters_already_confirmed_says_so_and_offers_no_button(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    _, mine = review(client, campaign, paragraph=ANA_WORDS)
    send(client, campaign, mine, channel="email", email=ANA)
    send_mail(engine, settings)
    (link,) = confirmation_links(smtp, ANA)
    assert "Send my letters" in client.get(link).text
    assert press_send(client, campaign, link) == 200

    page = client.get(link)
    assert page.status_code == 200
    assert "You have already confirmed these letters" in page.text
    assert "Send your letters" not in page.text and "Send my letters" not in page.text
    assert f'action="/letters/{campaign.slug}/confirm"' not in page.text
    assert ANA_WORDS in page.text  # the link holder sees what went out under their name
    with transaction(engine) as session:
        delivery.release_due(session, settings=settings)
    send_mail(engine, settings)
    assert "You have already confirmed these letters" in client.get(link).text  # sent: the same

    token = parse_qs(urlsplit(link).query)["token"][0]
    forged = client.get(f"/letters/{campaign.slug}/confirm?token={token[:-2]}xx")
    assert forged.status_code == 400 and "already confirmed" not in forged.text
    assert ANA_WORDS not in forged.text


def submit(
    engine: Engine,
    settings: Settings,
    campaign: LetterCampaign,
    *,
    name: str,
    paragraph: str,
    client: str,
    hold: threading.Event | None = None,
) -> None:
    """A submission through the service; with `hold`, it signals and waits before committing."""
    with transaction(engine) as session:
        raw = {
            **{"name": name, "country": "LT", "city": "Vilnius", "paragraph": paragraph},
            "paragraph_as_is": "1",  # English words go into the Russian letter too, knowingly
        }
        letters = compose.prepare(session, campaign, raw, locale="en", today=TODAY)
        assert letters.writer is not None and not letters.errors
        holding.submit(
            session,
            settings=settings,
            limiter=Limiter(session),
            campaign=campaign,
            submission=holding.Submission(letters.writer, ANA, letters.drafts, "en", True),
            ip_hash=keyed_hash(settings, "ip", client),
        )
        if hold is not None:
            hold.set()
            time.sleep(0.5)


def tokens(engine: Engine) -> list[str]:
    """The tokens of the confirmation mails queued so far, oldest first."""
    with Session(engine) as session:
        mails = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.template == "confirm_letters")
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        ).all()
    return [m.context["url"].split("token=")[1].split("&")[0] for m in mails]


def held_or_waiting(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Letter.status, Letter.body, LetterSender.name).join(LetterSender)
        ).all()
    return [(status, body, name) for status, body, name in rows]


def test_a_stranger_submitting_while_the_first_link_is_used_sends_nothing_of_theirs(
    engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    submit(engine, settings, campaign, name="Ana Bialiatskaya", paragraph=ANA_WORDS, client="ana")
    [first] = tokens(engine)
    stranger_flushed = threading.Event()

    def use_first_link() -> None:
        stranger_flushed.wait(5)
        with transaction(engine) as session:
            holding.confirm(session, settings=settings, campaign=campaign, token=first)

    with ThreadPoolExecutor(max_workers=2) as pool:
        stranger = pool.submit(
            submit,
            engine,
            settings,
            campaign,
            name=FORGER,
            paragraph=FORGED_WORDS,
            client="stranger",
            hold=stranger_flushed,
        )
        ana = pool.submit(use_first_link)
        stranger.result()
        ana.result()
    for status, body, name in held_or_waiting(engine):
        if status != "held":  # on its way: only ever what the first link was sent with
            assert name == "Ana Bialiatskaya" and ANA_WORDS in body


def test_a_stranger_submitting_while_the_supporter_confirms_leaves_her_letters_alone(
    engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    submit(engine, settings, campaign, name="Ana Bialiatskaya", paragraph=ANA_WORDS, client="ana")
    [first] = tokens(engine)
    confirmed = threading.Event()

    def use_first_link() -> None:
        with transaction(engine) as session:
            holding.confirm(session, settings=settings, campaign=campaign, token=first)
            confirmed.set()
            time.sleep(0.5)

    def stranger() -> None:
        confirmed.wait(5)
        submit(engine, settings, campaign, name=FORGER, paragraph=FORGED_WORDS, client="stranger")

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(use_first_link), pool.submit(stranger)]:
            done.result()
    letters = held_or_waiting(engine)
    assert [status for status, _, _ in letters] == ["waiting", "waiting"]
    assert all(name == "Ana Bialiatskaya" and ANA_WORDS in body for _, body, name in letters)


def test_a_stranger_cannot_fill_the_supporters_mailbox_and_only_the_newest_link_works(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    for n in range(10):  # from ten clients, so that no per-client limit is what stops them
        submit(engine, settings, campaign, name=f"Writer {n}", paragraph=f"Try {n}.", client=str(n))
    links = tokens(engine)
    assert len(links) == holding.MAX_MAILS_PER_SENDER
    pages = [client.get(f"/letters/{campaign.slug}/confirm?token={t}") for t in links]
    assert [page.status_code for page in pages] == [400] * (len(links) - 1) + [200]
    assert f"Writer {len(links) - 1}" in pages[-1].text  # the submission its mail was sent for
