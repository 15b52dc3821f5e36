"""A supporter's journey through the petition pages, with a real SMTP server in between."""

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campaign.content.service import save_version
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import signing
from tests.conftest import csrf_from
from tests.factories import add_signature, link_in, make_petition, send_mail
from tests.petitions.conftest import STARTED
from tests.petitions.conftest import sign_form as sign
from tests.smtp_server import SmtpServer


@pytest.fixture
def petition(engine: Engine) -> Petition:
    return make_petition(engine, title="Free Maria Kalesnikava", slug="free-maria")


def signatures(engine: Engine) -> list[Signature]:
    with Session(engine) as session:
        return list(session.exec(select(Signature)).all())


def count(engine: Engine, petition: Petition) -> int:
    with Session(engine) as session:
        return session.get(Petition, petition.id).signature_count  # type: ignore[union-attr]


def test_signing_confirming_and_seeing_the_count_rise(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    assert "0 signatures" in client.get("/petitions/free-maria").text
    response = sign(client, "free-maria", show_publicly="1")
    assert response.status_code == 303
    assert response.headers["location"] == "/petitions/free-maria/thanks"
    assert "Check your e-mail" in client.get(response.headers["location"]).text
    assert count(engine, petition) == 0

    send_mail(engine, settings)
    [mail] = smtp.handler.to("ana@example.org")
    assert "Free Maria Kalesnikava" in mail["Subject"]
    link = link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")

    # A mail scanner following the link confirms nothing.
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my signature" in page.text
    assert count(engine, petition) == 0

    token = link.split("token=")[1].split("&")[0]
    done = client.post(
        "/petitions/free-maria/confirm",
        data={"token": token, "csrf_token": csrf_from(client, link)},
    )
    assert done.status_code == 200 and "Your signature is confirmed" in done.text
    assert "https://t.me/share/url?url=http%3A//testserver/petitions/free-maria" in done.text
    assert count(engine, petition) == 1
    page = client.get("/petitions/free-maria").text
    assert "1 signature" in page
    assert "Ana B., Vilnius" in page

    again = client.post(  # the button of the page still open in another tab
        "/petitions/free-maria/confirm",
        data={"token": token, "csrf_token": csrf_from(client, "/petitions/free-maria")},
    )
    assert again.status_code == 200
    assert count(engine, petition) == 1


def test_a_repeated_signature_looks_exactly_like_a_new_one(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    first = sign(client, "free-maria")
    second = sign(client, "free-maria", email="ANA@example.org", name="Someone Else")
    stranger = sign(client, "free-maria", email="new@example.org")
    for response in (second, stranger):
        assert response.status_code == first.status_code
        assert response.headers["location"] == first.headers["location"]
        assert response.content == first.content
    assert len(signatures(engine)) == 2
    send_mail(engine, settings)
    assert len(smtp.handler.to("ana@example.org")) == 2  # the confirmation link, sent again


def test_the_thanks_page_is_the_same_for_everyone(client: TestClient, petition: Petition) -> None:
    assert (
        client.get("/petitions/free-maria/thanks").content
        == client.get("/petitions/free-maria/thanks").content
    )


def test_errors_appear_next_to_their_fields_and_keep_what_was_typed(
    client: TestClient, quick, engine: Engine, petition: Petition
) -> None:
    response = sign(
        client,
        "free-maria",
        email="not-an-address",
        country="XX",
        consent="",
        name="=cmd|' /C calc'!A0",
    )
    assert response.status_code == 400
    html = response.text
    assert (
        'id="error-email"' in html and 'id="error-country"' in html and 'id="error-consent"' in html
    )
    assert 'aria-describedby="error-email' in html
    assert 'value="=cmd|&#39; /C calc&#39;!A0"' in html
    assert signatures(engine) == []


def test_bots_see_the_normal_page_but_nothing_is_stored_or_sent(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    honeypot = sign(client, "free-maria", website="http://spam.example")
    assert honeypot.status_code == 303
    assert honeypot.headers["location"] == "/petitions/free-maria/thanks"
    assert signatures(engine) == []
    send_mail(engine, settings)
    assert smtp.messages == []


def test_a_form_sent_faster_than_a_person_could_fill_it_is_kept_as_suspect(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer, petition: Petition
) -> None:
    assert sign(client, "free-maria").status_code == 303  # browser autofill can be this fast
    [row] = signatures(engine)
    assert row.suspect and row.suspect_reason == "form sent too fast"
    send_mail(engine, settings)
    assert len(smtp.handler.to("ana@example.org")) == 1


def test_a_bot_posting_without_loading_the_form_stores_nothing_and_gets_the_form_again(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer, petition: Petition
) -> None:
    data = {"name": "Ana B", "email": "ana@example.org", "country": "LT", "consent": "1"}
    again = client.post("/petitions/free-maria/sign", data=data)
    assert again.status_code == 200 and "press the button again" in again.text
    assert 'value="ana@example.org"' in again.text  # what was typed is kept
    assert again.headers["cache-control"] == "private, no-store"
    assert signatures(engine) == []
    # Sent back at once with the stamp it was given: too fast, kept as suspect as before.
    data["started"] = STARTED.search(again.text).group(1)  # type: ignore[union-attr]
    assert client.post("/petitions/free-maria/sign", data=data).status_code == 303
    [row] = signatures(engine)
    assert row.suspect and row.suspect_reason == "form sent too fast"


def test_a_form_filled_at_human_speed_is_kept(
    client: TestClient, app, settings: Settings, engine: Engine, petition: Petition
) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"sign_min_fill_seconds": 1})
    client.get("/petitions/free-maria")
    stamp = client.get("/stamp")  # what the first focus in the form loads
    assert stamp.headers["content-type"] == "image/gif"
    assert stamp.headers["cache-control"] == "no-store"
    time.sleep(1.1)
    data = {"name": "Ana B", "email": "ana@example.org", "country": "LT", "consent": "1"}
    assert client.post("/petitions/free-maria/sign", data=data).status_code == 303
    [row] = signatures(engine)
    assert not row.suspect


def test_a_stamp_made_up_or_taken_from_another_petition_counts_as_none(
    client: TestClient, app, settings: Settings, engine: Engine, petition: Petition
) -> None:  # type: ignore[no-untyped-def]
    other = make_petition(engine, title="Another", slug="another")
    old = signing.form_started_token(settings, other.id)
    data = {"name": "Ana B", "email": "ana@example.org", "country": "LT", "consent": "1"}
    for started in ("made-up", old):
        response = client.post("/petitions/free-maria/sign", data={**data, "started": started})
        assert response.status_code == 200 and "press the button again" in response.text
    client.cookies.set("campaign_started", "made-up")
    response = client.post("/petitions/free-maria/sign", data=data)
    assert response.status_code == 200 and "press the button again" in response.text
    assert signatures(engine) == []


def test_rotating_x_forwarded_for_does_not_escape_the_rate_limit(
    client: TestClient, quick, engine: Engine, petition: Petition
) -> None:
    for n in range(7):
        client.headers["x-forwarded-for"] = f"203.0.113.{n}"
        assert sign(client, "free-maria", email=f"bot{n}@example.org").status_code == 303
    rows = sorted(signatures(engine), key=lambda s: s.id or 0)
    assert [row.suspect for row in rows] == [False] * 5 + [True] * 2
    assert len({row.ip_hash for row in rows}) == 1


def test_a_suspect_signature_gets_the_normal_mail_but_does_not_count(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    for n in range(6):
        sign(client, "free-maria", email=f"p{n}@example.org")
    send_mail(engine, settings)
    [mail] = smtp.handler.to("p5@example.org")
    link = link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")
    response = client.post(
        "/petitions/free-maria/confirm",
        data={
            "token": link.split("token=")[1].split("&")[0],
            "csrf_token": csrf_from(client, link),
        },
    )
    assert "Your signature is confirmed" in response.text
    assert count(engine, petition) == 0


def test_a_broken_or_forged_link_explains_what_to_do(
    client: TestClient, petition: Petition
) -> None:
    page = client.get("/petitions/free-maria/confirm?token=forged")
    assert page.status_code == 400
    assert "This link does not work" in page.text
    response = client.post(
        "/petitions/free-maria/confirm",
        data={"token": "forged", "csrf_token": csrf_from(client, "/petitions/free-maria")},
    )
    assert response.status_code == 400


def test_a_paused_petition_takes_no_signatures(client: TestClient, quick, engine: Engine) -> None:
    make_petition(engine, slug="paused", signing_paused=True)
    assert "Signing is closed" in client.get("/petitions/paused").text
    page = client.get("/petitions/free-maria-x")
    assert page.status_code == 404


def test_drafts_are_not_public(client: TestClient, engine: Engine) -> None:
    make_petition(engine, slug="secret-draft", status="draft")
    assert client.get("/petitions/secret-draft").status_code == 404
    assert "secret-draft" not in client.get("/petitions").text


def test_the_list_shows_open_petitions_with_their_counts(
    client: TestClient, petition: Petition
) -> None:
    html = client.get("/petitions").text
    assert "Free Maria Kalesnikava" in html
    assert 'href="/petitions/free-maria?lang=en"' in html  # a click costs no redirect


def test_the_petition_page_has_share_links_and_open_graph(
    client: TestClient, petition: Petition
) -> None:
    html = client.get("/petitions/free-maria").text
    assert '<meta property="og:title" content="Free Maria Kalesnikava">' in html
    assert "https://t.me/share/url?url=http%3A//testserver/petitions/free-maria" in html
    assert "<strong>three years</strong>" in html
    assert "<script" not in html


def test_the_qr_code_points_to_the_petition(client: TestClient, petition: Petition) -> None:
    response = client.get("/petitions/free-maria/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")


def test_the_thanks_and_confirmation_pages_are_never_stored(
    client: TestClient, petition: Petition
) -> None:
    assert (
        client.get("/petitions/free-maria/thanks").headers["cache-control"] == "private, no-store"
    )
    assert (
        client.get("/petitions/free-maria/confirm?token=x").headers["cache-control"]
        == "private, no-store"
    )


def test_the_embed_may_be_framed_and_signs_without_cookies(
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,  # type: ignore[no-untyped-def]
) -> None:
    with TestClient(quick, follow_redirects=False) as partner_iframe:
        page = partner_iframe.get("/petitions/free-maria/embed?lang=en")
        assert page.status_code == 200
        assert "frame-ancestors *" in page.headers["content-security-policy"]
        assert "x-frame-options" not in page.headers
        assert "set-cookie" not in page.headers
        partner_iframe.cookies.clear()  # a third-party iframe sends no SameSite cookie
        data = {"name": "Ana B", "email": "embed@example.org", "country": "DE", "consent": "1"}
        response = partner_iframe.post("/petitions/free-maria/embed/sign", data=data)
        assert response.status_code == 303
        assert response.headers["location"] == "/petitions/free-maria/embed/thanks?lang=en"
    assert [s.email for s in signatures(engine)] == ["embed@example.org"]


def test_the_embed_shows_a_form_without_a_stamp_again_inside_the_frame(
    app, settings: Settings, engine: Engine, petition: Petition
) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"sign_min_fill_seconds": 1})
    other = make_petition(engine, slug="other")
    foreign = signing.form_started_token(settings, other.id)  # type: ignore[arg-type]
    data = {"name": "Ana B", "email": "embed@example.org", "country": "DE", "consent": "1"}
    with TestClient(app, follow_redirects=False) as partner_iframe:  # no cookie in the frame
        for started in ("", "forged", foreign):
            again = partner_iframe.post(
                "/petitions/free-maria/embed/sign", data={**data, "started": started}
            )
            assert again.status_code == 200 and "press the button again" in again.text
            assert "frame-ancestors *" in again.headers["content-security-policy"]
            assert 'value="embed@example.org"' in again.text
        assert signatures(engine) == []
        time.sleep(1.1)
        data["started"] = STARTED.search(again.text).group(1)  # type: ignore[union-attr]
        signed = partner_iframe.post("/petitions/free-maria/embed/sign", data=data)
        assert signed.status_code == 303
    [row] = signatures(engine)
    assert not row.suspect


def test_every_other_page_refuses_to_be_framed(client: TestClient, petition: Petition) -> None:
    for path in ["/petitions/free-maria", "/petitions/free-maria/embed/thanks", "/login"]:
        headers = client.get(path).headers
        framing = (
            "frame-ancestors *" if path.endswith("/embed/thanks") else "frame-ancestors 'none'"
        )
        assert framing in headers["content-security-policy"], path


def test_the_embed_keeps_its_language_through_signing_and_the_mail(
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,  # type: ignore[no-untyped-def]
) -> None:
    with TestClient(quick, follow_redirects=False) as iframe:
        page = iframe.get("/petitions/free-maria/embed?lang=be")
        assert 'action="/petitions/free-maria/embed/sign?lang=be"' in page.text
        iframe.cookies.clear()
        data = {"name": "Ales B", "email": "be@example.org", "country": "BY", "consent": "1"}
        response = iframe.post("/petitions/free-maria/embed/sign?lang=be", data=data)
        assert response.headers["location"] == "/petitions/free-maria/embed/thanks?lang=be"
        assert '<html lang="be">' in iframe.get(response.headers["location"]).text
    send_mail(engine, settings)
    [mail] = smtp.handler.to("be@example.org")
    link = link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")
    assert link.endswith("&lang=be")


def test_the_confirmation_answer_is_never_stored(
    client: TestClient, quick, engine: Engine, settings: Settings, petition: Petition
) -> None:
    add_signature(engine, settings, petition, email="ana@example.org", confirm=False)
    with Session(engine) as session:
        row = session.exec(select(Signature)).one()
    csrf = csrf_from(client, "/petitions/free-maria")
    for token in [signing.confirmation_token(settings, row), "forged"]:
        answer = client.post(
            "/petitions/free-maria/confirm", data={"token": token, "csrf_token": csrf}
        )
        assert answer.headers["cache-control"] == "private, no-store"
    assert count(engine, petition) == 1


def test_a_confirmation_sent_without_its_token_explains_what_to_do(
    client: TestClient, petition: Petition
) -> None:
    answer = client.post(
        "/petitions/free-maria/confirm",
        data={"csrf_token": csrf_from(client, "/petitions/free-maria")},
    )
    assert answer.status_code == 400 and "This link does not work" in answer.text


def test_the_embed_answers_refusals_and_mistakes_inside_the_frame(
    quick, engine: Engine, petition: Petition
) -> None:
    with TestClient(quick, follow_redirects=False) as partner_iframe:
        partner_iframe.get("/petitions/free-maria/embed?lang=en")
        partner_iframe.cookies.clear()
        data = {
            "name": "Ana B",
            "email": "not-an-address",
            "country": "DE",
            "city": "Typed City",
            "consent": "1",
        }
        mistake = partner_iframe.post("/petitions/free-maria/embed/sign", data=data)
        assert mistake.status_code == 400
        assert "frame-ancestors *" in mistake.headers["content-security-policy"]
        assert 'id="error-email"' in mistake.text and 'value="Typed City"' in mistake.text
        with transaction(engine) as session:
            session.execute(
                update(Petition).where(col(Petition.id) == petition.id).values(signing_paused=True)
            )
        refused = partner_iframe.post(
            "/petitions/free-maria/embed/sign", data={**data, "email": "ana@example.org"}
        )
        assert refused.status_code == 409
        assert "frame-ancestors *" in refused.headers["content-security-policy"]
        assert "This petition does not take signatures at the moment." in refused.text
    assert signatures(engine) == []


def test_a_day_old_stamp_counts_as_none(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    petition: Petition,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = {"name": "Ana B", "email": "embed@example.org", "country": "DE", "consent": "1"}
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - signing.FORM_MAX_AGE - 60)
    stale = signing.form_started_token(settings, petition.id)  # type: ignore[arg-type]
    monkeypatch.undo()
    for path in ("/petitions/free-maria/embed/sign", "/petitions/free-maria/sign"):
        answer = client.post(path, data={**data, "started": stale})
        assert answer.status_code == 200 and "press the button again" in answer.text
    assert signatures(engine) == []


def test_the_petition_page_is_fresh_after_an_edit_and_in_the_readers_language(
    client: TestClient, engine: Engine, petition: Petition
) -> None:
    client.get("/petitions/free-maria")
    etag = client.get("/petitions/free-maria").headers["etag"]
    with transaction(engine) as session:
        session.execute(
            update(Petition)
            .where(col(Petition.id) == petition.id)
            .values(title="Free Maria Kalesnikava now", updated_at=utcnow())
        )
    fresh = client.get("/petitions/free-maria", headers={"if-none-match": etag})
    assert fresh.status_code == 200 and "Free Maria Kalesnikava now" in fresh.text
    with transaction(engine) as session:
        row = session.get(Petition, petition.id)
        save_version(session, "petition", row, "be", {"title": "Вызваліце Марыю"})
    assert "Вызваліце Марыю" in client.get("/petitions/free-maria?lang=be").text
