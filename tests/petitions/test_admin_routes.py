"""Organisers run petitions: create, publish, watch, export, invalidate; every step audited."""

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.core.audit import AuditEvent
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, Signature
from tests.conftest import csrf_from
from tests.factories import add_signature, make_petition, organisation


def post(client: TestClient, path: str, data: dict[str, str], form_page: str = "/admin"):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_from(client, form_page), **data})


def events(engine: Engine) -> list[AuditEvent]:
    """The trail's entries but logins and logouts (the accounts record those)."""
    with Session(engine) as session:
        query = select(AuditEvent).where(~AuditEvent.action.startswith("account."))  # type: ignore[attr-defined]
        return list(session.exec(query.order_by(AuditEvent.id)).all())  # type: ignore[arg-type]


def reload(engine: Engine, petition: Petition) -> Petition:
    with Session(engine) as session:
        return session.get(Petition, petition.id)  # type: ignore[return-value]


ADMIN_PAGES = [
    "/admin/petitions",
    "/admin/petitions/new",
    "/admin/petitions/{id}",
    "/admin/petitions/{id}/edit",
    "/admin/petitions/{id}/preview",
    "/admin/petitions/{id}/invalidate",
    "/admin/petitions/{id}/export/signatures.csv",
    "/admin/petitions/{id}/export/by-day.csv",
    "/admin/petitions/{id}/export/by-country.csv",
    "/admin/audit",
]


def test_strangers_are_sent_to_login_from_every_organiser_page(
    client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    for page in ADMIN_PAGES:
        response = client.get(page.format(id=petition.id))
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/login?next=")
    token = csrf_from(client, "/login")
    for path in [
        "/admin/petitions/new",
        f"/admin/petitions/{petition.id}/status",
        f"/admin/petitions/{petition.id}/invalidate",
        "/admin/petitions/pause-all",
    ]:
        assert client.post(path, data={"csrf_token": token, "action": "close"}).status_code == 303


def test_an_organiser_creates_previews_and_publishes_a_petition(
    organiser_client: TestClient, engine: Engine
) -> None:
    response = post(
        organiser_client,
        "/admin/petitions/new",
        {
            "organisation_id": str(organisation(engine)),
            "title": "Free Ihar Losik",
            "summary": "A blogger held since 2020.",
            "addressee": "Prosecutor General",
            "body": "Ihar is **innocent**.<script>alert(1)</script>",
            "goal": "500",
            "slug": "",
        },
    )
    assert response.status_code == 303
    dashboard = response.headers["location"]
    assert (
        organiser_client.get("/petitions/free-ihar-losik").status_code == 404
    )  # a draft is not public
    preview = organiser_client.get(dashboard + "/preview").text
    assert "<strong>innocent</strong>" in preview and "<script>alert" not in preview
    post(organiser_client, dashboard + "/status", {"action": "publish"})
    page = organiser_client.get("/petitions/free-ihar-losik")
    assert page.status_code == 200 and "Sign this petition" in page.text
    assert [e.action for e in events(engine)] == ["petition.created", "petition.publish"]


def test_bad_petition_details_get_errors_next_to_their_fields(
    organiser_client: TestClient, engine: Engine
) -> None:
    make_petition(engine, slug="taken")
    mine = str(organisation(engine))
    response = post(
        organiser_client,
        "/admin/petitions/new",
        {"organisation_id": mine, "title": "", "slug": "Not A Slug", "goal": "-3"},
    )
    assert response.status_code == 400 and 'id="error-organisation_id"' not in response.text
    for name in ("title", "slug", "goal"):
        assert f'id="error-{name}"' in response.text
    response = post(
        organiser_client,
        "/admin/petitions/new",
        {"organisation_id": mine, "title": "X", "slug": "taken", "goal": "10"},
    )
    assert "Another petition uses this address already." in response.text


def test_closing_stops_signing_and_an_impossible_change_is_refused(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, slug="to-close")
    post(organiser_client, f"/admin/petitions/{petition.id}/status", {"action": "close"})
    assert "Signing is closed" in organiser_client.get("/petitions/to-close").text
    response = post(organiser_client, f"/admin/petitions/{petition.id}/status", {"action": "close"})
    assert response.status_code == 409


def test_the_dashboard_shows_totals_by_state_and_country(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="a@example.org", country="PL")
    add_signature(engine, settings, petition, email="b@example.org", country="PL")
    add_signature(engine, settings, petition, email="c@example.org", confirm=False)
    page = organiser_client.get(f"/admin/petitions/{petition.id}").text
    assert "<dt>Counted</dt><dd>2</dd>" in page
    assert "<dt>Waiting for confirmation</dt><dd>1</dd>" in page
    assert "<td>Poland</td><td>2</td>" in page
    assert '<svg class="chart"' in page


def test_a_wave_from_one_client_shows_on_the_dashboard(
    organiser_client: TestClient, engine: Engine, settings: Settings, app
) -> None:  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"trending_threshold": 2})
    petition = make_petition(engine)
    for n in range(3):
        add_signature(engine, settings, petition, email=f"bot{n}@spam.example", ip="same-client")
    page = organiser_client.get(f"/admin/petitions/{petition.id}").text
    assert "Unusual signing in the last hour" in page
    assert "3 confirmations from addresses at spam.example" in page


def test_the_signatures_export_is_safe_for_spreadsheets_and_audited(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(
        engine,
        settings,
        petition,
        email="a@example.org",
        name='=HYPERLINK("http://evil")',
        city="+cmd",
    )
    add_signature(engine, settings, petition, email="b@example.org", name="@SUM(1)", confirm=False)
    response = organiser_client.get(f"/admin/petitions/{petition.id}/export/signatures.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["email"] for row in rows] == ["a@example.org", "b@example.org"]
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")' and rows[0]["city"] == "'+cmd"
    assert rows[1]["name"] == "'@SUM(1)"
    assert (
        rows[0]["consent"] == "yes"
        and rows[0]["status"] == "confirmed"
        and rows[1]["status"] == "pending"
    )
    [event] = [e for e in events(engine) if e.action == "petition.exported"]
    assert event.actor == "organiser@example.org" and event.details["export"] == "signatures"


def test_an_export_longer_than_a_batch_lists_every_signature_once_in_order(
    organiser_client: TestClient, engine: Engine, settings: Settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from campaign.petitions import exports

    monkeypatch.setattr(exports, "BATCH", 2)
    petition = make_petition(engine)
    for n in range(5):
        add_signature(engine, settings, petition, email=f"s{n}@example.org", city="", confirm=n < 4)
    response = organiser_client.get(f"/admin/petitions/{petition.id}/export/signatures.csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffid,name,email,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["email"] for row in rows] == [f"s{n}@example.org" for n in range(5)]
    with Session(engine) as session:
        stored = session.exec(select(Signature).order_by(col(Signature.id))).all()
    # Moments in UTC, to the second, the same on both databases; a missing one is empty.
    second = "%Y-%m-%d %H:%M:%S"
    assert [(r["signed_at"], r["confirmed_at"]) for r in rows] == [
        (s.created_at.strftime(second), s.confirmed_at.strftime(second) if s.confirmed_at else "")
        for s in stored
    ]
    assert rows[-1]["confirmed_at"] == "" and rows[-1]["status"] == "pending"
    assert all(s.created_at.utcoffset() == timedelta(0) for s in stored)
    assert {(r["city"], r["invalidated_at"], r["suspect"]) for r in rows} == {("", "", "no")}


def test_tallies_export_by_day_and_country(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="a@example.org", country="DE")
    add_signature(engine, settings, petition, email="b@example.org", country="LT")
    add_signature(engine, settings, petition, email="c@example.org", country="LT")
    by_country = organiser_client.get(f"/admin/petitions/{petition.id}/export/by-country.csv").text
    assert by_country.splitlines() == ["country,signatures", "LT,2", "DE,1"]
    by_day = organiser_client.get(
        f"/admin/petitions/{petition.id}/export/by-day.csv"
    ).text.splitlines()
    assert by_day[0] == "date,signatures" and by_day[-1].endswith(",3")
    assert len([e for e in events(engine) if e.action == "petition.exported"]) == 2


def test_invalidating_shows_the_count_first_then_lowers_the_tally(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="wave")
    for n in range(3):
        add_signature(engine, settings, petition, email=f"bot{n}@spam.example", country="RU")
    add_signature(engine, settings, petition, email="pending@spam.example", confirm=False)
    add_signature(engine, settings, petition, email="real@example.org", country="BY")
    path = f"/admin/petitions/{petition.id}/invalidate"
    preview = post(
        organiser_client,
        path,
        {"email_domain": "spam.example", "action": "preview"},
        form_page=path,
    )
    assert "4 signatures match" in preview.text
    assert reload(engine, petition).signature_count == 4
    missing_reason = post(
        organiser_client,
        path,
        {"email_domain": "spam.example", "action": "invalidate"},
        form_page=path,
    )
    assert missing_reason.status_code == 400
    done = post(
        organiser_client,
        path,
        {"email_domain": "spam.example", "action": "invalidate", "reason": "bot wave"},
        form_page=path,
    )
    assert done.status_code == 303
    assert reload(engine, petition).signature_count == 1
    assert "1 signature" in organiser_client.get("/petitions/wave").text
    by_country = organiser_client.get(f"/admin/petitions/{petition.id}/export/by-country.csv").text
    assert by_country.splitlines() == ["country,signatures", "BY,1"]
    [event] = [e for e in events(engine) if e.action == "petition.invalidated"]
    assert event.details["count"] == 4 and event.details["reason"] == "bot wave"
    again = post(
        organiser_client,
        path,
        {"email_domain": "spam.example", "action": "invalidate", "reason": "again"},
        form_page=path,
    )
    assert again.status_code == 303
    assert reload(engine, petition).signature_count == 1


def test_address_filters_pick_exactly_the_matching_signatures_and_stay_out_of_the_trail(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="filters")
    for email in ("bot1@spam.example", "Bot2@SPAM.example", "ana@example.org"):
        add_signature(engine, settings, petition, email=email)
    path = f"/admin/petitions/{petition.id}/invalidate"

    def matching(fields: dict[str, str]) -> str:
        page = post(organiser_client, path, {**fields, "action": "preview"}, form_page=path)
        return page.text

    assert "2 signatures match" in matching({"email_domain": "@Spam.Example"})
    assert "1 signature matches" in matching({"email_contains": "ana@"})
    assert "1 signature matches" in matching(
        {"email_domain": "spam.example", "email_contains": "bot2"}
    )
    # "@" alone is no criterion: refused like an empty form, never "every signature".
    refused = post(
        organiser_client,
        path,
        {"email_domain": "@", "action": "invalidate", "reason": "oops"},
        form_page=path,
    )
    assert refused.status_code == 400
    assert reload(engine, petition).signature_count == 3
    post(
        organiser_client,
        path,
        {"email_contains": "ana@example.org", "action": "invalidate", "reason": "test"},
        form_page=path,
    )
    [event] = [e for e in events(engine) if e.action == "petition.invalidated"]
    assert event.details["count"] == 1
    assert "ana" not in str(event.details)


def test_invalidating_everything_at_once_is_refused(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    path = f"/admin/petitions/{petition.id}/invalidate"
    response = post(
        organiser_client, path, {"action": "invalidate", "reason": "oops"}, form_page=path
    )
    assert response.status_code == 400
    assert "Choose at least one criterion." in response.text


def test_only_an_admin_pauses_signing_everywhere(
    organiser_client: TestClient, engine: Engine, admin
) -> None:  # type: ignore[no-untyped-def]
    make_petition(engine, slug="everywhere")
    assert post(organiser_client, "/admin/petitions/pause-all", {"paused": "1"}).status_code == 403
    from tests.conftest import log_in

    organiser_client.cookies.clear()
    log_in(organiser_client, "admin@example.org")
    assert post(organiser_client, "/admin/petitions/pause-all", {"paused": "1"}).status_code == 303
    assert "Signing is closed" in organiser_client.get("/petitions/everywhere").text
    assert any(e.action == "site.signing_paused" for e in events(engine))
    audit_page = organiser_client.get("/admin/audit").text
    assert "admin paused signing on every petition" in audit_page


def test_an_organiser_cannot_read_the_audit_trail(organiser_client: TestClient) -> None:
    assert organiser_client.get("/admin/audit").status_code == 403


@pytest.mark.parametrize("page", ["/admin/petitions/9999", "/admin/petitions/9999/edit"])
def test_a_missing_petition_is_a_404(organiser_client: TestClient, page: str) -> None:
    assert organiser_client.get(page).status_code == 404


def test_the_handover_names_signers_who_agreed_with_their_places_but_never_addresses(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    from pypdf import PdfReader

    petition = make_petition(
        engine, title="Свабоду Ганне Кавальчук", addressee="Генеральны пракурор"
    )
    add_signature(
        engine,
        settings,
        petition,
        email="ales@example.org",
        name="Алесь Бяляцкі",
        country="BY",
        city="Мінск",
        named_in_handover=True,
    )
    add_signature(
        engine,
        settings,
        petition,
        email="jonas@example.org",
        name="Jonas Kazlauskas",
        country="LT",
        city="",
        named_in_handover=True,
    )
    add_signature(
        engine,
        settings,
        petition,
        email="pending@example.org",
        name="Not Counted",
        confirm=False,
        named_in_handover=True,
    )
    page = organiser_client.get(f"/admin/petitions/{petition.id}/handover?include_names=1")
    assert page.status_code == 200
    assert (
        "Алесь Бяляцкі" in page.text
        and "Мінск, Belarus" in page.text
        and "Jonas Kazlauskas" in page.text
    )
    assert "@example.org" not in page.text and "Not Counted" not in page.text
    pdf = organiser_client.get(f"/admin/petitions/{petition.id}/handover.pdf?include_names=1")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Свабоду Ганне Кавальчук" in text and "Генеральны пракурор" in text
    assert "Алесь Бяляцкі" in text and "Jonas Kazlauskas" in text and "2 signatures" in text
    assert "@" not in text and "Not Counted" not in text
    exported = [e.details["export"] for e in events(engine) if e.action == "petition.exported"]
    assert exported == ["handover", "handover.pdf"]


def test_an_organiser_counts_genuine_suspect_signatures(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    from campaign.petitions.models import Signature

    petition = make_petition(engine, slug="street-stall")
    tight = settings.model_copy(update={"sign_limit_burst": "1/minute"})
    from campaign.core.db import transaction
    from campaign.core.ratelimit import Limiter
    from campaign.petitions.forms import SignForm
    from campaign.petitions.service import signing

    for n in range(3):  # one stall, one network: all but the first are suspect
        with transaction(engine) as session:
            form = SignForm(
                name=f"Person {n}",
                email=f"p{n}@example.org",
                country="PL",
                city="",
                wants_updates=False,
                show_publicly=False,
            )
            signing.sign_petition(
                session,
                settings=tight,
                limiter=Limiter(session),
                petition=petition,
                form=form,
                ip_hash="stall",
                locale="en",
            )
    with transaction(engine) as session:
        for row in session.exec(select(Signature)).all():
            signing.confirm_signature(
                session,
                settings=settings,
                petition=petition,
                token=signing.confirmation_token(settings, row),
            )
    assert reload(engine, petition).signature_count == 1
    path = f"/admin/petitions/{petition.id}/invalidate"
    preview = post(
        organiser_client, path, {"suspect_only": "1", "action": "preview"}, form_page=path
    )
    assert "Count the suspect ones among them" in preview.text
    done = post(organiser_client, path, {"suspect_only": "1", "action": "accept"}, form_page=path)
    assert done.status_code == 303
    assert reload(engine, petition).signature_count == 3
    assert "3 signatures" in organiser_client.get("/petitions/street-stall").text
    [event] = [e for e in events(engine) if e.action == "petition.accepted"]
    assert event.details["count"] == 2


def test_a_petition_past_its_last_day_is_closed_everywhere(
    organiser_client: TestClient, engine: Engine
) -> None:
    from datetime import timedelta

    from campaign.core.db import utcnow
    from tests.petitions.test_finding import results, section

    ended = make_petition(engine, slug="ended", ends_at=utcnow() - timedelta(days=1))
    listing = organiser_client.get("/petitions").text
    assert results(listing) == [] and section(listing, "closed") == ["ended"]
    assert organiser_client.get("/api/petitions/ended").json()["status"] == "closed"
    assert "Signing is closed" in organiser_client.get("/petitions/ended").text
    draft = make_petition(
        engine, slug="late-draft", status="draft", ends_at=utcnow() - timedelta(days=1)
    )
    assert (
        post(
            organiser_client, f"/admin/petitions/{draft.id}/status", {"action": "publish"}
        ).status_code
        == 409
    )
    assert ended.slug == "ended"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_exported_moments_are_utc_whatever_the_sessions_time_zone(
    db_url: str, engine: Engine, settings: Settings
) -> None:
    """A pooler such as PgBouncer does not pass on the app's `timezone=UTC`."""
    from sqlalchemy import create_engine

    from campaign.petitions import exports

    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="minsk@example.org")
    with Session(engine) as session:
        signed = session.exec(select(Signature)).one().created_at
    minsk = create_engine(db_url, connect_args={"options": "-c timezone=Europe/Minsk"})
    text = b"".join(exports.signatures_csv(minsk, petition.id)).decode("utf-8-sig")  # type: ignore[arg-type]
    minsk.dispose()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["signed_at"] == signed.strftime("%Y-%m-%d %H:%M:%S")
