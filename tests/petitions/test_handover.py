"""The hand-over document holds counts; a signer's name reaches the addressees only if they agreed
at signing and the organiser chose to include names, and never by default from the addressee's
own country."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.migrate import upgrade
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, Signature
from tests.conftest import csrf_from
from tests.factories import add_signature, link_in, make_petition, send_mail
from tests.petitions.conftest import sign_form as sign
from tests.smtp_server import SmtpServer


def pdf_text(response) -> str:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def handover(client: TestClient, petition: Petition, query: str = "") -> tuple[str, str]:
    """The print view's text and the PDF's text for the same choice."""
    page = client.get(f"/admin/petitions/{petition.id}/handover{query}")
    assert page.status_code == 200
    return page.text, pdf_text(client.get(f"/admin/petitions/{petition.id}/handover.pdf{query}"))


@pytest.fixture
def petition(engine: Engine, settings: Settings) -> Petition:
    """Four counted signers: two agreed to be named (one from Belarus), two did not; one pending."""
    petition = make_petition(
        engine,
        title="Свабоду Ганне Кавальчук",
        addressee="Генеральны пракурор",
        addressee_country="BY",
    )
    signers = [
        ("ales@example.org", "Алесь Бяляцкі", "BY", "Мінск", True),
        ("jonas@example.org", "Jonas Kazlauskas", "LT", "Kaunas", True),
        ("olga@example.org", "Olga Hidden", "BY", "Hrodna", False),
        ("tomasz@example.org", "Tomasz Quiet", "PL", "", False),
    ]
    for email, name, country, city, agreed in signers:
        add_signature(
            engine,
            settings,
            petition,
            email=email,
            name=name,
            country=country,
            city=city,
            named_in_handover=agreed,
        )
    add_signature(
        engine,
        settings,
        petition,
        email="pending@example.org",
        name="Not Counted",
        named_in_handover=True,
        confirm=False,
    )
    return petition


NAMES = ["Алесь Бяляцкі", "Jonas Kazlauskas", "Olga Hidden", "Tomasz Quiet", "Not Counted"]


def test_by_default_the_handover_holds_counts_and_no_one_s_name(
    organiser_client: TestClient, petition: Petition
) -> None:
    page, pdf = handover(organiser_client, petition)
    for shown in (page, pdf):
        for name in NAMES:
            assert name not in shown
        assert (
            "Мінск" not in shown and "Kaunas" not in shown and "@" not in shown.split("<main")[-1]
        )
        assert "Свабоду Ганне Кавальчук" in shown and "Генеральны пракурор" in shown
        assert "4 signatures" in shown
        assert "2 signers agreed to be named" in shown and "4 names are withheld" in shown
    # Counts by country and by day, in the document and on paper.
    assert re.search(r"Belarus</td>\s*<td[^>]*>2<", page)
    assert re.search(r"Lithuania</td>\s*<td[^>]*>1<", page)
    assert "Belarus 2" in pdf and "Lithuania 1" in pdf and "Poland 1" in pdf
    assert "Signatures per day" in page and "Signatures per day" in pdf


def test_names_are_given_only_of_signers_who_agreed_and_only_when_the_organiser_chooses(
    organiser_client: TestClient, petition: Petition, engine: Engine
) -> None:
    page, pdf = handover(organiser_client, petition, "?include_names=1")
    for shown in (page, pdf):
        assert "Jonas Kazlauskas" in shown and "Kaunas" in shown
        assert "Olga Hidden" not in shown and "Tomasz Quiet" not in shown
        assert "Not Counted" not in shown and "Hrodna" not in shown
        # Ales agreed, but lives where the addressee rules: left out unless asked for.
        assert "Алесь Бяляцкі" not in shown and "Мінск" not in shown
        assert "2 signers agreed to be named" in shown and "3 names are withheld" in shown
    assert "@" not in pdf
    with Session(engine) as session:
        exported = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.exported")
        ).all()
    assert [(e.details["export"], e.details["names"]) for e in exported] == [
        ("handover", "agreed, not from the addressee's country"),
        ("handover.pdf", "agreed, not from the addressee's country"),
    ]


def test_signers_from_the_addressee_s_country_are_named_only_after_a_warning(
    organiser_client: TestClient, petition: Petition
) -> None:
    form = organiser_client.get(f"/admin/petitions/{petition.id}/handover").text
    assert 'name="include_names"' in form and 'name="include_addressee_country"' in form
    assert "1 of them gave Belarus, the addressee's own country" in form
    assert "prosecute" in form
    page, pdf = handover(organiser_client, petition, "?include_names=1&include_addressee_country=1")
    for shown in (page, pdf):
        assert "Алесь Бяляцкі" in shown and "Мінск, Belarus" in shown
        assert "Jonas Kazlauskas" in shown
        assert "Olga Hidden" not in shown and "Tomasz Quiet" not in shown
        assert "2 signers agreed to be named" in shown and "2 names are withheld" in shown
    # The addressee's country alone names no one.
    page, pdf = handover(organiser_client, petition, "?include_addressee_country=1")
    for shown in (page, pdf):
        assert "Алесь Бяляцкі" not in shown and "Jonas Kazlauskas" not in shown


def test_the_handover_links_keep_the_organiser_s_choice(
    organiser_client: TestClient, petition: Petition
) -> None:
    page = organiser_client.get(f"/admin/petitions/{petition.id}/handover?include_names=1").text
    assert f'href="/admin/petitions/{petition.id}/handover.pdf?include_names=1"' in page
    assert re.search(r'name="include_names" value="1" checked', page)


def test_the_organiser_s_export_shows_who_agreed_to_be_named(
    organiser_client: TestClient, petition: Petition
) -> None:
    response = organiser_client.get(f"/admin/petitions/{petition.id}/export/signatures.csv")
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert {row["email"]: row["named_in_handover"] for row in rows} == {
        "ales@example.org": "yes",
        "jonas@example.org": "yes",
        "olga@example.org": "no",
        "tomasz@example.org": "no",
        "pending@example.org": "yes",
    }


def test_a_choice_that_is_not_yes_or_no_is_refused_with_a_reason(
    organiser_client: TestClient, petition: Petition
) -> None:
    response = organiser_client.get(f"/admin/petitions/{petition.id}/handover.pdf?include_names=x")
    assert response.status_code == 400 and "could not be understood" in response.text


def agreed(engine: Engine) -> dict[str, bool]:
    with Session(engine) as session:
        return {s.email: s.named_in_handover for s in session.exec(select(Signature)).all()}


def test_the_sign_form_asks_separately_and_unticked_whether_to_give_the_name(
    client: TestClient, quick, engine: Engine
) -> None:
    make_petition(engine, slug="free-ihar")
    page = client.get("/petitions/free-ihar").text
    box = re.search(r'<input type="checkbox" id="field-named_in_handover"[^>]*>', page)
    assert box and "checked" not in box.group(0) and "required" not in box.group(0)
    assert "will be given to the addressees" in page
    assert sign(client, "free-ihar").status_code == 303
    sign(client, "free-ihar", email="brave@example.org", named_in_handover="1")
    assert agreed(engine) == {"ana@example.org": False, "brave@example.org": True}


def test_signing_again_with_someone_s_address_never_makes_them_agree(
    client: TestClient, quick, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="free-ihar")
    add_signature(engine, settings, petition, email="victim@example.org")
    add_signature(engine, settings, petition, email="waiting@example.org", confirm=False)
    sign(client, "free-ihar", email="victim@example.org", named_in_handover="1")
    sign(client, "free-ihar", email="waiting@example.org", named_in_handover="1")
    assert agreed(engine) == {"victim@example.org": False, "waiting@example.org": False}


def test_an_organiser_sets_the_addressee_s_country(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, slug="free-maria")
    form = organiser_client.get(f"/admin/petitions/{petition.id}/edit").text
    assert '<select id="field-addressee_country" name="addressee_country"' in form
    values = {
        "csrf_token": csrf_from(organiser_client, f"/admin/petitions/{petition.id}/edit"),
        "title": petition.title,
        "slug": petition.slug,
        "addressee": "The Prosecutor General of Belarus",
        "goal": "100",
    }
    path = f"/admin/petitions/{petition.id}/edit"
    wrong = organiser_client.post(path, data={**values, "addressee_country": "XX"})
    assert wrong.status_code == 400 and 'id="error-addressee_country"' in wrong.text
    assert (
        organiser_client.post(path, data={**values, "addressee_country": "by"}).status_code == 303
    )
    with Session(engine) as session:
        assert session.get(Petition, petition.id).addressee_country == "BY"  # type: ignore[union-attr]
    page = organiser_client.get(path).text
    assert '<option value="BY" selected>' in page
    assert organiser_client.post(path, data={**values, "addressee_country": ""}).status_code == 303
    with Session(engine) as session:
        assert session.get(Petition, petition.id).addressee_country == ""  # type: ignore[union-attr]


def test_without_the_addressee_s_country_the_handover_page_asks_for_it(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    page = organiser_client.get(f"/admin/petitions/{petition.id}/handover").text
    assert "include_addressee_country" not in page
    assert f'href="/admin/petitions/{petition.id}/edit"' in page
    assert "the addressee's country is not set" in page.lower()


def test_my_data_shows_whether_a_signature_agreed_to_be_named(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine, title="Free Anna")
    add_signature(engine, settings, petition, email="ana@example.org", named_in_handover=True)
    client.post(
        "/my-data", data={"csrf_token": csrf_from(client, "/my-data"), "email": "ana@example.org"}
    )
    send_mail(engine, settings)
    [path] = [
        link_in(body, "/my-data?token=")
        for m in smtp.handler.to("ana@example.org")
        if "/my-data?token=" in (body := m.get_body(("plain",)).get_content())
    ]
    token = path.split("token=")[1].split("&")[0]
    csrf = csrf_from(client, path)
    data = client.post("/my-data/download", data={"csrf_token": csrf, "token": token})
    [signature] = json.loads(data.text)["signatures"]
    assert signature["named_in_handover"] is True


def test_erasing_a_signer_takes_back_their_agreement_to_be_named(
    engine: Engine, settings: Settings
) -> None:
    from sqlmodel import col

    from campaign.core.db import transaction
    from campaign.petitions.retention import erase_signatures

    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", named_in_handover=True)
    with transaction(engine) as session:
        erase_signatures(session, col(Signature.petition_id) == petition.id)
    assert list(agreed(engine).values()) == [False]


def _fresh_database(db_url: str) -> tuple[str, str | None]:
    """An empty database of the same kind: its URL, and a PostgreSQL name to drop afterwards."""
    if db_url.startswith("sqlite"):
        path = make_url(db_url).database
        return f"sqlite:///{path}.fresh", None
    name = f"campaign_migration_{uuid.uuid4().hex[:8]}"
    with create_engine(db_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(db_url).set(database=name).render_as_string(hide_password=False), name


def test_signatures_made_before_the_box_existed_have_not_agreed(db_url: str) -> None:
    url, name = _fresh_database(db_url)
    try:
        upgrade(url, "5b1e7c2d9a40")
        engine = create_engine(make_url(url).set(drivername=make_url(db_url).drivername))
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO petition (slug, title, summary, body, addressee, goal, status,"
                    " signing_paused, signature_count, created_at, updated_at)"
                    " VALUES ('old', 'Old', '', '', 'Someone', 10, 'open', false, 1,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO signature (petition_id, name, email, email_hash, country, city,"
                    " consent, wants_updates, show_publicly, locale, status, suspect,"
                    " suspect_reason, ip_hash, token_nonce, mails_sent, created_at,"
                    " invalidation_reason) SELECT id, 'n', 'e', 'h', 'BY', '', true, false, true,"
                    " 'en', 'confirmed', false, '', '', '', 1, CURRENT_TIMESTAMP, '' FROM petition"
                )
            )
        upgrade(url)
        with engine.connect() as connection:
            assert connection.execute(
                text("SELECT named_in_handover FROM signature")
            ).scalars().all() == [False]
            assert connection.execute(
                text("SELECT addressee_country FROM petition")
            ).scalars().all() == [""]
        engine.dispose()
    finally:
        if name is not None:
            with create_engine(db_url, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
