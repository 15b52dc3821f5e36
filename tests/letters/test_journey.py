"""The supporter's journey: details in, letters reviewed and edited, then sent by e-mail (after
confirming), from their own mail program, or printed on paper."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.models import (
    Letter,
    LetterCampaign,
    LetterCount,
    LetterSender,
    OfficialEmail,
)
from campaign.letters.service import delivery, replies
from tests.conftest import csrf_from
from tests.factories import link_in, make_letter_campaign, send_mail
from tests.smtp_server import SmtpServer

WRITER = {"name": "Ana Bialiatskaya", "country": "LT", "city": "Vilnius"}


def review(
    client: TestClient, campaign: LetterCampaign, **fields: str
) -> tuple[str, dict[str, str]]:
    """Fill in the campaign page; the review page and the fields it will post back."""
    token = csrf_from(client, f"/letters/{campaign.slug}")
    # English words go into the Russian letter too: the supporter ticked that they know.
    data = {
        "csrf_token": token,
        **WRITER,
        "paragraph": "I was arrested myself once.",
        "paragraph_as_is": "1",
        **fields,
    }
    response = client.post(f"/letters/{campaign.slug}/write", data=data)
    assert response.status_code == 200, response.text
    bodies = dict(
        re.findall(r'<textarea id="field-(body-\d+)"[^>]*>([^<]*)</textarea>', response.text)
    )
    return response.text, {**data, **{k: unescape(v) for k, v in bodies.items()}}


def unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def send(client: TestClient, campaign: LetterCampaign, data: dict[str, str], **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"/letters/{campaign.slug}/send", data={**data, **fields})


def test_letters_by_email_reach_each_official_after_confirmation_with_reply_to_the_supporter(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    page, data = review(client, campaign)
    assert "Dear Ambassador" in page and "Генеральный прокурор" in page
    data["body-" + next(k.split("-")[1] for k in data if k.startswith("body-"))] += "\n\nP.S. Mine."
    response = send(
        client, campaign, data, channel="email", email="ana@example.org", ask_about_reply="1"
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/check-your-mail")

    send_mail(engine, settings)
    (mail,) = smtp.handler.to("ana@example.org")
    assert "Jane Envoy" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with transaction(engine) as session:
        assert delivery.release_due(session, settings=settings) == 0  # nothing before confirming
    confirm_path = link_in(mail.get_body(("plain",)).get_content(), "/confirm")  # type: ignore[union-attr]
    page = client.get(confirm_path)
    assert page.status_code == 200
    token = parse_qs(urlsplit(confirm_path).query)["token"][0]
    thanks = client.post(
        f"/letters/{campaign.slug}/confirm",
        data={"csrf_token": csrf_from(client, confirm_path), "token": token},
    )
    assert thanks.status_code == 200
    assert "start going out now" in thanks.text  # the factory's campaign sends at any hour
    assert "0 letters sent by e-mail through this site" in thanks.text
    assert "2 more confirmed and waiting to go out" in thanks.text

    with transaction(engine) as session:
        assert delivery.release_due(session, settings=settings) == 2
    send_mail(engine, settings)
    letters = [m for m in smtp.messages if m["To"] != "ana@example.org"]
    assert len(letters) == 2
    for letter in letters:
        assert letter["Reply-To"] == "ana@example.org"
        assert letter["From"].startswith("Ana Bialiatskaya <")
        assert "ana@example.org" not in letter["From"]
    russian = next(m for m in letters if "prokuratura" in m["To"])
    assert russian["Subject"] == "Освободите Анна Ковальчук"
    text = russian.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Прошу освободить Анна Ковальчук" in text and "Литва" in text
    assert sum("P.S. Mine." in m.get_body(("plain",)).get_content() for m in letters) == 1  # type: ignore[union-attr]

    with transaction(engine) as session:
        assert delivery.record_outcomes(session)["sent"] == 2
    assert "You have already confirmed these letters" in client.get(confirm_path).text
    again = client.post(  # the button of the page still open in another tab
        f"/letters/{campaign.slug}/confirm",
        data={"csrf_token": csrf_from(client, f"/letters/{campaign.slug}"), "token": token},
    )
    assert again.status_code == 200  # a second click is harmless
    with Session(engine) as session:
        assert len(session.exec(select(Letter)).all()) == 2


def test_the_same_page_follows_whatever_became_of_the_address(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    first = send(client, campaign, data, channel="email", email="ana@example.org")
    second = send(client, campaign, data, channel="email", email="ana@example.org")
    trap = send(client, campaign, data, channel="email", email="bot@example.org", website="x")
    assert first.headers["location"] == second.headers["location"] == trap.headers["location"]
    with Session(engine) as session:
        senders = session.exec(select(Letter.sender_id).distinct()).all()
    assert len(senders) == 1  # the bot that filled the hidden field stored nothing


def test_the_print_pdf_has_the_cyrillic_address_and_the_letter(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    response = send(client, campaign, data, channel="print", count_me="1")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Андрей Швед" in text and "220030 Минск" in text
    assert "Прошу освободить Анна Ковальчук" in text
    assert "Ana Bialiatskaya" in text
    assert "Jane Envoy" not in text  # the ambassador has no postal address
    with Session(engine) as session:
        counted = session.exec(select(LetterCount.event, LetterCount.count)).all()
        assert counted == [("printed", 1)]
        assert session.exec(select(Letter)).all() == []  # nothing about the supporter is kept


def test_printing_is_limited_per_client_and_a_refused_print_is_not_counted(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(update={"pdf_limit_per_client": "2/hour"})  # type: ignore[attr-defined]
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    responses = [send(client, campaign, data, channel="print", count_me="1") for _ in range(3)]
    assert [r.headers["content-type"].split(";")[0] for r in responses[:2]] == [
        "application/pdf"
    ] * 2
    refused = responses[2]
    assert refused.status_code == 429 and "text/html" in refused.headers["content-type"]
    assert "Too many attempts. Try again in 60 minutes." in refused.text
    assert send(client, campaign, data, channel="mailto").status_code == 200  # others still work
    with Session(engine) as session:
        counted = session.exec(select(LetterCount.event, LetterCount.count)).all()
    assert counted == [("printed", 2)]


def test_own_mail_program_gets_a_filled_in_mailto_link_and_only_a_count_is_kept(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    response = send(client, campaign, data, channel="mailto")  # count_me unticked
    assert response.status_code == 200
    links = re.findall(r'href="(mailto:[^"]+)"', response.text)
    assert len(links) == 2
    link = unescape(links[0])
    parts = urlsplit(link)
    assert "@" in unquote(parts.path)
    fields = parse_qs(parts.query)
    assert fields["subject"][0] and "Ana Bialiatskaya" in fields["body"][0]
    with Session(engine) as session:
        assert session.exec(select(LetterCount)).all() == []


def test_bad_letters_get_an_error_next_to_the_field(client: TestClient, engine: Engine) -> None:
    campaign = make_letter_campaign(engine, personal_paragraph="required")
    token = csrf_from(client, f"/letters/{campaign.slug}")
    missing = client.post(
        f"/letters/{campaign.slug}/write",
        data={"csrf_token": token, **WRITER, "paragraph": "  "},
    )
    assert missing.status_code == 400
    assert 'id="error-paragraph"' in missing.text and "only the template" in missing.text
    _, data = review(client, campaign)
    body_key = next(k for k in data if k.startswith("body-"))
    too_long = send(client, campaign, {**data, body_key: "x" * 10_001}, channel="print")
    assert too_long.status_code == 400 and f'id="error-{body_key}"' in too_long.text
    placeholder = send(
        client, campaign, {**data, body_key: "Dear {{ official_name }}"}, channel="print"
    )
    assert placeholder.status_code == 400 and "placeholders" in placeholder.text
    no_email = send(client, campaign, data, channel="email", email="not-an-address")
    assert no_email.status_code == 400 and 'id="error-email"' in no_email.text


def test_a_locked_letter_cannot_be_changed_by_the_supporter(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine, body_locked=True)
    page, data = review(client, campaign)
    assert "<textarea" not in page
    response = send(
        client, campaign, {**data, "body-1": "Something else entirely"}, channel="mailto"
    )
    assert "Something+else" not in response.text and "Something%20else" not in response.text


def test_a_campaign_whose_officials_cannot_be_reached_says_so(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine, allow_print=False, allow_mailto=False)
    with transaction(engine) as session:
        for address in session.exec(select(OfficialEmail)).all():
            address.status = "bouncing"
            session.add(address)
    page = client.get(f"/letters/{campaign.slug}")
    assert page.status_code == 200
    assert "No official can be reached at the moment" in page.text
    assert f'action="/letters/{campaign.slug}/write"' not in page.text


def test_a_supporter_reports_an_answer_from_the_follow_up_link(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    with transaction(engine) as session:
        sender = LetterSender(
            campaign_id=campaign.id,  # type: ignore[arg-type]
            name="Ana",
            email="ana@example.org",
            email_hash="x",
            token_nonce="nonce",
            status="confirmed",
        )
        session.add(sender)
        session.flush()
        path = f"/letters/{campaign.slug}/reply?token={replies.reply_token(settings, sender)}"
    page = client.get(path)
    assert page.status_code == 200
    token = parse_qs(urlsplit(path).query)["token"][0]
    form = {"csrf_token": csrf_from(client, path), "token": token}
    unanswered = client.post(f"/letters/{campaign.slug}/reply", data=form)
    assert unanswered.status_code == 400 and 'id="error-answered"' in unanswered.text
    done = client.post(
        f"/letters/{campaign.slug}/reply",
        data={**form, "answered": "yes", "note": "The prosecutor's office says it is reviewing."},
    )
    assert done.status_code == 200
    forged = client.get(f"/letters/{campaign.slug}/reply?token=forged")
    assert forged.status_code == 400
    with Session(engine) as session:
        fresh = session.get(LetterCampaign, campaign.id)
        assert fresh is not None
        assert replies.reported_replies(session, fresh) == {"yes": 1, "no": 0}
        assert replies.reply_notes(session, fresh) == [
            "The prosecutor's office says it is reviewing."
        ]


def test_a_campaign_takes_letters_only_between_its_dates(
    client: TestClient, engine: Engine
) -> None:
    now = datetime.now(UTC)
    early = make_letter_campaign(engine, opens_at=now + timedelta(days=2))
    late = make_letter_campaign(engine, closes_at=now - timedelta(minutes=1))
    token = csrf_from(client, f"/letters/{make_letter_campaign(engine).slug}")
    for campaign in (early, late):
        page = client.get(f"/letters/{campaign.slug}")
        assert page.status_code == 200 and "This campaign is closed" in page.text
        refused = client.post(
            f"/letters/{campaign.slug}/write", data={"csrf_token": token, **WRITER}
        )
        assert refused.status_code == 409
    listed = client.get("/letters").text
    assert f'/letters/{early.slug}"' not in listed and f'/letters/{late.slug}"' not in listed
    assert client.get("/letters/no-such-campaign").status_code == 404
