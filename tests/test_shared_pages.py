"""Public pages a shared cache can hold: the same bytes for every visitor in a language, the
language in the address, no cookie, public with a short max-age and an ETag; the public forms
on them guarded by the browser's Origin and Sec-Fetch-Site instead of a per-visitor token."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.settings import Settings
from campaign.petitions.models import Signature
from tests.conftest import log_in
from tests.factories import make_letter_campaign, make_petition, make_prisoner
from tests.prisoners.test_volunteers import sign_in
from tests.smtp_server import SmtpServer

ONION = "http://campaignxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
CROSS_SITE = [
    {"origin": "https://evil.example"},
    {"sec-fetch-site": "cross-site"},
    {"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    {"origin": "null", "sec-fetch-site": "cross-site"},  # a sandboxed frame on another site
    {"sec-fetch-site": "same-site"},  # a sibling subdomain is another site too
]
SAME_SITE = [
    {"origin": "http://testserver", "sec-fetch-site": "same-origin"},
    # A page with Referrer-Policy: no-referrer (this site's) sends Origin: null to itself.
    {"origin": "null", "sec-fetch-site": "same-origin"},
    {"origin": "http://testserver"},  # a browser too old for Sec-Fetch-Site
    {},  # no browser at all: met by the form's own defences
]


@pytest.fixture
def pages(engine: Engine) -> list[str]:
    """Every kind of public page, in English, for pages that exist."""
    petition = make_petition(engine, slug="free-them", title="Free them")
    campaign = make_letter_campaign(engine)
    prisoner = make_prisoner(engine)
    return [
        "/?lang=en",
        "/petitions?lang=en",
        f"/petitions/{petition.slug}?lang=en",
        f"/petitions/{petition.slug}/embed?lang=en",
        "/letters?lang=en",
        f"/letters/{campaign.slug}?lang=en",
        "/prisoners?lang=en",
        f"/prisoners/{prisoner.slug}?lang=en",
    ]


def test_public_pages_are_the_same_bytes_for_every_visitor_and_set_no_cookie(
    app, pages: list[str]
) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as first, TestClient(app) as second, TestClient(app) as third:
        first.get("/login")  # a CSRF cookie, as after a visit to a page of one's own
        second.cookies.set("campaign_lang", "de")  # another language chosen before
        second.cookies.set("campaign_started", "x")
        for path in pages:
            answers = [c.get(path, headers={"accept-language": "ru"}) for c in (first, second)]
            answers.append(third.get(path))
            assert [a.status_code for a in answers] == [200, 200, 200], path
            assert answers[0].content == answers[1].content == answers[2].content, path
            assert answers[0].headers["etag"] == answers[2].headers["etag"], path
            for answer in answers:
                assert "set-cookie" not in answer.headers, path
                assert "csrf_token" not in answer.text and 'name="started"' not in answer.text


def test_public_pages_may_be_kept_by_a_shared_cache_and_revalidated(
    client: TestClient, pages: list[str]
) -> None:
    for path in pages:
        page = client.get(path)
        assert page.headers["cache-control"] == "public, max-age=0, s-maxage=10", path
        vary = page.headers.get("vary", "").lower()
        assert "cookie" not in vary and "accept-language" not in vary, path
        assert "onion-location" not in page.headers
        again = client.get(path, headers={"if-none-match": page.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == page.headers["etag"]
        assert again.headers["cache-control"] == page.headers["cache-control"]


def test_the_max_age_is_a_setting_and_the_onion_address_is_announced(
    app, settings: Settings, pages: list[str]
) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(
        update={"public_page_max_age": 30, "onion_origin": ONION}
    )
    with TestClient(app) as client:
        page = client.get(pages[2])
    assert page.headers["cache-control"] == "public, max-age=0, s-maxage=30"
    assert page.headers["onion-location"] == f"{ONION}{pages[2]}"


def test_a_bare_address_is_sent_to_its_language_by_accept_language(
    client: TestClient, pages: list[str]
) -> None:
    for page in pages:
        bare = page.replace("?lang=en", "")
        answer = client.get(
            bare, headers={"accept-language": "be;q=0.9, en;q=0.5"}, follow_redirects=False
        )
        assert answer.status_code == 302, bare
        assert answer.headers["location"] == f"{bare}?lang=be"
        assert answer.headers["cache-control"] == "no-store"
        assert "accept-language" in answer.headers["vary"].lower()
    searched = client.get(
        "/petitions?q=free&status=won", headers={"accept-language": "de"}, follow_redirects=False
    )
    assert searched.headers["location"] == "/petitions?q=free&status=won&lang=de"
    unknown = client.get(
        "/petitions?lang=xx", headers={"accept-language": "uk"}, follow_redirects=False
    )
    assert unknown.headers["location"] == "/petitions?lang=uk"


def test_links_on_a_public_page_carry_its_language(client: TestClient, pages: list[str]) -> None:
    html = client.get("/petitions?lang=be").text
    assert 'href="/petitions/free-them?lang=be"' in html
    assert 'href="/letters?lang=be"' in html and 'href="/prisoners?lang=be"' in html
    assert '<input type="hidden" name="lang" value="be">' in html  # the search form
    assert 'href="/static/css/site.css"' in html  # files need no language
    petition = client.get("/petitions/free-them?lang=be").text
    assert 'action="/petitions/free-them/sign?lang=be"' in petition


def test_signed_in_organisers_and_volunteers_are_never_shared(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    organiser,  # type: ignore[no-untyped-def]
    pages: list[str],
) -> None:
    sign_in(client, engine, settings, smtp)
    for path in ("/prisoners?lang=en", pages[-1]):
        page = client.get(path)
        assert page.status_code == 200 and "Signed in as a volunteer" in page.text
        assert page.headers["cache-control"] == "no-store", path  # as every signed-in page
        assert "etag" not in page.headers
    assert client.get("/volunteer").headers["cache-control"] == "private, no-store"
    with TestClient(client.app, follow_redirects=False) as organiser_client:  # type: ignore[arg-type]
        log_in(organiser_client, organiser.email)
        for path in ("/admin", "/admin/petitions"):
            assert organiser_client.get(path).headers["cache-control"] == "no-store", path


def test_a_page_with_a_message_for_one_visitor_is_not_shared(
    client: TestClient, pages: list[str]
) -> None:
    from campaign.core.security import signer

    settings = client.app.state.settings  # type: ignore[attr-defined]
    client.cookies.set("campaign_flash", signer(settings, "flash").dumps(["Only for you"]))
    page = client.get("/petitions?lang=en")
    assert "Only for you" in page.text
    assert page.headers["cache-control"] == "private, no-store"


# -- the public forms ---------------------------------------------------------------------------


@pytest.fixture
def forms(engine: Engine, pages: list[str]) -> list[str]:
    """Every public form, at an address that exists."""
    campaign = pages[5].split("/")[2].split("?")[0]
    return [
        "/petitions/free-them/sign",
        "/petitions/free-them/embed/sign",
        "/petitions/free-them/confirm",
        "/petitions/free-them/confirm/discard",
        f"/letters/{campaign}/write",
        f"/letters/{campaign}/send",
        f"/letters/{campaign}/confirm",
        f"/letters/{campaign}/reply",
        "/unsubscribe",
        "/volunteer/unsubscribe",
    ]


def test_each_public_form_refuses_a_post_from_another_site_with_a_clear_page(
    client: TestClient, forms: list[str]
) -> None:
    for path in forms:
        for headers in CROSS_SITE:
            answer = client.post(path, data={"name": "x"}, headers=headers)
            assert answer.status_code == 403, (path, headers)
            assert "sent from another website" in answer.text
            assert "<!doctype html>" in answer.text.lower()


def test_each_public_form_accepts_a_post_from_this_site_and_its_onion(
    app, settings: Settings, forms: list[str]
) -> None:  # type: ignore[no-untyped-def]
    onion = {"origin": ONION, "sec-fetch-site": "same-origin"}
    with TestClient(app, follow_redirects=False) as client:
        for path in forms:
            for headers in SAME_SITE:
                answer = client.post(path, data={"name": "x"}, headers=headers)
                assert answer.status_code != 403, (path, headers)
            assert client.post(path, data={"name": "x"}, headers=onion).status_code == 403
    app.state.settings = settings.model_copy(update={"onion_origin": ONION})
    with TestClient(app, follow_redirects=False) as client:
        for path in forms:
            assert client.post(path, data={"name": "x"}, headers=onion).status_code != 403


def test_the_organiser_area_still_needs_its_token_from_this_site(
    client: TestClient, pages: list[str]
) -> None:
    same_origin = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    answer = client.post("/login", data={"email": "a@example.org"}, headers=same_origin)
    assert answer.status_code == 403
    answer = client.post("/volunteer/signin", data={"email": "a@example.org"}, headers=same_origin)
    assert answer.status_code == 403


def test_a_sign_from_a_shared_page_goes_through_once_filling_was_stamped(
    client: TestClient, engine: Engine, app, settings: Settings, pages: list[str]
) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"sign_min_fill_seconds": 0.2})
    page = client.get("/petitions/free-them?lang=en")
    assert "set-cookie" not in page.headers
    stamp = client.get("/stamp")  # what the form's first focus loads
    assert stamp.headers["set-cookie"].startswith("campaign_started=")
    assert "Max-Age" not in stamp.headers["set-cookie"]  # gone when the browser closes
    time.sleep(0.3)
    signed = client.post(
        "/petitions/free-them/sign?lang=en",
        data={"name": "Ana B", "email": "ana@example.org", "country": "LT", "consent": "1"},
        headers={"origin": "null", "sec-fetch-site": "same-origin"},
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/petitions/free-them/thanks"
    with Session(engine) as session:
        [row] = session.exec(select(Signature)).all()
    assert not row.suspect


def test_the_language_switcher_of_a_shared_page_remembers_the_choice(
    client: TestClient, pages: list[str]
) -> None:
    page = client.get("/petitions?q=free&lang=en").text
    assert 'href="/language?lang=be&amp;next=%2Fpetitions%3Fq%3Dfree"' in page
    chosen = client.get("/language?lang=be&next=%2Fpetitions%3Fq%3Dfree")
    assert chosen.status_code == 303 and chosen.headers["location"] == "/petitions?q=free&lang=be"
    assert chosen.headers["cache-control"] == "no-store"
    assert client.cookies.get("campaign_lang") == "be"
    bare = client.get("/prisoners", follow_redirects=False)
    assert bare.headers["location"] == "/prisoners?lang=be"
    for elsewhere in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        away = client.get("/language", params={"lang": "de", "next": elsewhere})
        assert away.headers["location"] == "/?lang=de"


def test_only_what_says_public_may_be_shared(client: TestClient, pages: list[str]) -> None:
    for path in ("/no-such-page", "/officials?lang=en", "/prisoners/pick", "/my-data?lang=en"):
        cache = client.get(path).headers["cache-control"]
        assert cache.startswith("private") or cache == "no-store", path
    assert client.get("/static/css/site.css").headers.get("cache-control") is None


def test_over_https_the_stamp_also_reaches_the_embed_in_a_partners_frame(
    app, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"base_url": "https://testserver"})
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get("/stamp").headers["set-cookie"]
    assert cookie.startswith("campaign_started=") and "HttpOnly" in cookie
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie


def test_the_onion_origin_must_be_an_onion_origin(settings: Settings) -> None:
    from pydantic import ValidationError

    for wrong in ("https://evil.example", "campaign.onion", f"{ONION}/path"):
        with pytest.raises(ValidationError):
            Settings(**{**settings.model_dump(), "onion_origin": wrong})
    fine = Settings(**{**settings.model_dump(), "onion_origin": ONION + "/"})
    assert fine.site_origins == {"http://testserver", ONION}
