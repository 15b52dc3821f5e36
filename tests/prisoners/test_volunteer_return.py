"""A volunteer who signs in from a prisoner's page comes back to it, logs a letter there and
stays there, sees in the header that they are signed in, and can sign out on this device or on
every device."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.settings import Settings
from tests.conftest import csrf_from
from tests.factories import link_in, make_prisoner, send_mail
from tests.smtp_server import SmtpServer

COOKIE = "campaign_volunteer"
HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)


def header(client: TestClient, path: str) -> str:
    return HEADER.findall(client.get(path).text)[0]


def signin_link_on(page: str) -> str:
    """The sign-in link a prisoner's page offers, as the browser would follow it."""
    [href] = re.findall(r'href="(/volunteer/signin[^"]*)"', page)
    return unescape(href)


def sign_in_from(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    start: str,
    email: str = "vol@example.org",
) -> str:
    """Ask for a link on the sign-in page `start`, open the mail, press the button; where the
    button leads."""
    form = client.get(start).text
    [back_to] = re.findall(r'name="next" value="([^"]*)"', form)
    asked = client.post(
        "/volunteer/signin",
        data={"csrf_token": csrf_from(client, start), "email": email, "next": unescape(back_to)},
    )
    assert asked.status_code == 200
    send_mail(engine, settings)
    mail = smtp.handler.to(email)[-1]
    path = link_in(mail.get_body(("plain",)).get_content(), "/volunteer/signin")  # type: ignore[union-attr]
    query = parse_qs(urlsplit(path).query)
    button = client.get(path).text
    [carried] = re.findall(r'name="next" value="([^"]*)"', button)
    done = client.post(
        "/volunteer/signin",
        data={
            "csrf_token": csrf_from(client, path),
            "token": query["token"][0],
            "next": unescape(carried),
        },
    )
    assert done.status_code == 303
    return str(done.headers["location"])


def test_signing_in_from_a_prisoners_page_returns_to_it(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Anna Kavalchuk")
    profile = f"/prisoners/{prisoner.slug}"
    start = signin_link_on(client.get(profile).text)
    assert start == f"/volunteer/signin?next={profile}&lang=en"
    assert sign_in_from(client, engine, settings, smtp, start) == profile
    page = client.get(profile).text
    assert "You are signed in." in page
    assert "Log my letter" in page


def test_signing_in_elsewhere_or_with_a_foreign_next_leads_to_ones_own_page(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    assert sign_in_from(client, engine, settings, smtp, "/volunteer/signin") == "/volunteer"
    client.cookies.clear()
    evil = "/volunteer/signin?next=//evil.example/phish"
    assert sign_in_from(client, engine, settings, smtp, evil, email="b@example.org") == (
        "/volunteer"
    )


def test_logging_a_letter_stays_on_the_prisoners_page_with_a_confirmation(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Anna Kavalchuk")
    profile = f"/prisoners/{prisoner.slug}"
    sign_in_from(client, engine, settings, smtp, signin_link_on(client.get(profile).text))
    logged = client.post(
        f"{profile}/log",
        data={
            "csrf_token": csrf_from(client, profile),
            "sent_on": date.today().isoformat(),
            "channel": "post",
        },
    )
    assert logged.status_code == 303
    assert urlsplit(logged.headers["location"]).path == profile
    back = client.get(logged.headers["location"]).text
    assert '<p class="flash" role="status">Your letter is logged. Thank you!</p>' in back
    assert "Your letter is logged" not in client.get(profile).text  # said once


def test_the_header_shows_a_signed_in_volunteer_and_both_ways_out(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine)
    assert "Signed in as a volunteer" not in header(client, "/prisoners")
    sign_in_from(client, engine, settings, smtp, "/volunteer/signin")
    for path in ("/prisoners", f"/prisoners/{prisoner.slug}", "/volunteer"):
        top = header(client, path)
        assert "Signed in as a volunteer" in top, path
        assert 'action="/volunteer/signout/device"' in top and ">Sign out<" in top
        assert 'action="/volunteer/signout"' in top and ">Sign out on every device<" in top
        assert "vol@example.org" not in top
    assert client.get("/prisoners?lang=en").headers["cache-control"] == "no-store"

    token = csrf_from(client, "/volunteer")
    client.post("/volunteer/settings", data={"csrf_token": token, "display_name": "Vera"})
    assert "Signed in as a volunteer: Vera" in header(client, "/prisoners")


def test_signing_out_on_this_device_leaves_the_others_signed_in(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    sign_in_from(client, engine, settings, smtp, "/volunteer/signin")
    other_device = client.cookies.get(COOKIE)
    out = client.post(
        "/volunteer/signout/device", data={"csrf_token": csrf_from(client, "/prisoners")}
    )
    assert out.status_code == 303 and out.headers["location"] == "/prisoners"
    assert client.cookies.get(COOKIE) is None
    page = client.get("/prisoners").text
    assert "You are signed out on this device." in page
    assert "Signed in as a volunteer" not in page
    assert client.get("/volunteer", follow_redirects=False).status_code == 303

    client.cookies.set(COOKIE, other_device or "")
    assert client.get("/volunteer", follow_redirects=False).status_code == 200


def test_signing_out_everywhere_ends_every_devices_session(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    sign_in_from(client, engine, settings, smtp, "/volunteer/signin")
    other_device = client.cookies.get(COOKIE)
    out = client.post("/volunteer/signout", data={"csrf_token": csrf_from(client, "/volunteer")})
    assert out.status_code == 303
    assert "You are signed out on every device." in client.get("/prisoners").text
    client.cookies.set(COOKIE, other_device or "")
    assert client.get("/volunteer", follow_redirects=False).status_code == 303
