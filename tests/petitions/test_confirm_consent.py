"""Whoever confirms a signature sees what they confirm, and only they can agree to be named to the
addressees: the sign form's box is only a request, which the confirmation page asks again."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.settings import Settings
from campaign.petitions.models import Petition, Signature, SignatureStatus
from tests.conftest import csrf_from
from tests.factories import link_in, make_petition, send_mail
from tests.petitions.conftest import sign_form
from tests.smtp_server import SmtpServer

NAMING_BOX = re.compile(r'<input type="checkbox" id="field-named_in_handover"[^>]*>')


@pytest.fixture
def petition(engine: Engine) -> Petition:
    return make_petition(engine, title="Free Ihar Losik", slug="free-ihar")


def sign(client: TestClient, **fields: str) -> None:
    assert sign_form(client, "free-ihar", **fields).status_code == 303


def newest_link(engine: Engine, settings: Settings, smtp: SmtpServer, to: str) -> str:
    """The confirmation link in the newest mail the real worker delivered to this address."""
    send_mail(engine, settings)
    *_, mail = smtp.handler.to(to)
    return link_in(mail.get_body(("plain",)).get_content(), "/confirm?token=")


def confirm(client: TestClient, link: str, **fields: str):  # type: ignore[no-untyped-def]
    """Press the link page's button (a used link's page has none: the page still open in
    another tab, whose form carries this browser's token)."""
    token = link.split("token=")[1].split("&")[0]
    return client.post(
        "/petitions/free-ihar/confirm",
        data={"token": token, "csrf_token": csrf_from(client, "/petitions/free-ihar"), **fields},
    )


def stored(engine: Engine, email: str) -> Signature:
    with Session(engine) as session:
        [signature] = [s for s in session.exec(select(Signature)).all() if s.email == email]
    return signature


def test_a_stranger_signing_first_with_the_box_ticked_never_gets_the_owner_named(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    sign(
        client,
        name="Stranger Chosen",
        email="victim@example.org",
        country="BY",
        city="Hrodna",
        named_in_handover="1",
    )
    # The owner signs for real, without the box: her mail holds the stranger's row's link.
    sign(client, name="Vera Real", email="victim@example.org", country="LT", city="Vilnius")
    link = newest_link(engine, settings, smtp, "victim@example.org")

    page = client.get(link).text
    assert "Stranger Chosen" in page and "Hrodna" in page and "Belarus" in page
    box = NAMING_BOX.search(page)
    assert box and "checked" not in box.group(0)

    done = confirm(client, link)  # she confirms without looking twice
    assert done.status_code == 200 and "Your signature is confirmed" in done.text
    signature = stored(engine, "victim@example.org")
    assert signature.status == SignatureStatus.confirmed
    assert signature.named_in_handover is False
    # Nor can the link, used again with the box, name her after the fact.
    assert confirm(client, link, named_in_handover="1").status_code == 200
    assert stored(engine, "victim@example.org").named_in_handover is False


def test_the_confirmation_page_shows_the_name_city_and_country_before_the_button(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    sign(client, name="Алесь Бяляцкі", email="ales@example.org", country="BY", city="Мінск")
    page = client.get(newest_link(engine, settings, smtp, "ales@example.org")).text
    button = page.index("Confirm my signature</button>")
    for shown in ("Алесь Бяляцкі", "Мінск", "Belarus"):
        assert shown in page and page.index(shown) < button
    assert "someone else used your address" in page
    # Without a naming request there is nothing to ask.
    assert NAMING_BOX.search(page) is None

    sign(client, name="Jonas Kazlauskas", email="jonas@example.org", country="LT", city="")
    page = client.get(newest_link(engine, settings, smtp, "jonas@example.org")).text
    assert "Jonas Kazlauskas" in page and "Lithuania" in page


def test_a_signer_who_asked_to_be_named_is_named_only_after_ticking_it_again_on_the_confirmation_page(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    sign(client, email="brave@example.org", named_in_handover="1")
    sign(client, email="doubtful@example.org", named_in_handover="1")
    sign(client, email="plain@example.org")
    brave = newest_link(engine, settings, smtp, "brave@example.org")
    doubtful = newest_link(engine, settings, smtp, "doubtful@example.org")
    plain = newest_link(engine, settings, smtp, "plain@example.org")

    page = client.get(brave).text
    box = NAMING_BOX.search(page)
    assert box and "checked" not in box.group(0)
    assert "Give my name (and city) to the addressees at the hand-over" in page
    assert "When you signed, you asked for this" in page
    assert page.index(box.group(0)) < page.index("Confirm my signature</button>")

    assert confirm(client, brave, named_in_handover="1").status_code == 200
    assert confirm(client, doubtful).status_code == 200
    # A forged tick for a signature that never asked changes nothing.
    assert confirm(client, plain, named_in_handover="1").status_code == 200
    assert stored(engine, "brave@example.org").named_in_handover is True
    assert stored(engine, "doubtful@example.org").named_in_handover is False
    assert stored(engine, "plain@example.org").named_in_handover is False
    # Already confirmed: the same answer, and a later tick does not name her.
    again = confirm(client, doubtful, named_in_handover="1")
    assert again.status_code == 200 and "Your signature is confirmed" in again.text
    assert stored(engine, "doubtful@example.org").named_in_handover is False


def discard(client: TestClient, link: str):  # type: ignore[no-untyped-def]
    token = link.split("token=")[1].split("&")[0]
    return client.post(
        "/petitions/free-ihar/confirm/discard",
        data={"token": token, "csrf_token": csrf_from(client, "/petitions/free-ihar")},
    )


def test_the_owner_of_an_address_a_stranger_signed_with_deletes_it_and_signs_as_herself(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    sign(client, name="Stranger Chosen", email="victim@example.org", country="BY")
    sign(client, name="Vera Real", email="victim@example.org")
    link = newest_link(engine, settings, smtp, "victim@example.org")
    page = client.get(link).text
    assert "Stranger Chosen" in page and "Not me: delete this signature" in page

    gone = discard(client, link)
    assert gone.status_code == 200 and "Signature deleted" in gone.text
    with Session(engine) as session:
        assert session.exec(select(Signature)).all() == []
        assert session.get(Petition, petition.id).signature_count == 0  # type: ignore[union-attr]
    # The dead link neither confirms nor deletes anything now.
    token = link.split("token=")[1].split("&")[0]
    form = {"token": token, "csrf_token": csrf_from(client, "/petitions/free-ihar")}
    assert client.post("/petitions/free-ihar/confirm", data=form).status_code == 400
    assert client.post("/petitions/free-ihar/confirm/discard", data=form).status_code == 400

    sign(client, name="Vera Real", email="victim@example.org", country="LT")
    own = newest_link(engine, settings, smtp, "victim@example.org")
    assert "Vera Real" in client.get(own).text
    assert confirm(client, own).status_code == 200
    signature = stored(engine, "victim@example.org")
    assert (signature.name, signature.country) == ("Vera Real", "LT")
    assert signature.status == SignatureStatus.confirmed


def test_a_counted_signature_cannot_be_deleted_from_its_link(
    client: TestClient,
    quick,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
    petition: Petition,
) -> None:
    sign(client, email="counted@example.org")
    link = newest_link(engine, settings, smtp, "counted@example.org")
    assert confirm(client, link).status_code == 200
    assert "Not me: delete this signature" not in client.get(link).text
    assert discard(client, link).status_code == 400
    assert stored(engine, "counted@example.org").status == SignatureStatus.confirmed
