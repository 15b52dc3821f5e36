"""The partner API (/api/osdi/v1) as a partner's system meets it: its token opens only its
organisation's petitions, a `people` token the people who agreed that the organisation may
contact them, page by page, each request within the token's limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import ApiToken, ApiTokenRole, Organisation, User
from campaign.accounts.service import api_tokens
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.security import email_index, partner_person_id
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, PetitionStatus
from campaign.petitions.service import coalition
from campaign.site.app import create_app
from tests.factories import add_signature, make_petition, organisation

API = "/api/osdi/v1"
PARTNER = "Partner group"


def issue(engine: Engine, user: User, role: ApiTokenRole, name: str = "Test organisation") -> str:
    """A token of this organisation, issued by `user` as its page would."""
    with transaction(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.name == name)).one()
        return api_tokens.issue_token(
            session, organisation=org, name="CRM sync", role=role, by=user
        ).secret


def get(client: TestClient, path: str, token: str, **params: Any) -> Any:
    return client.get(f"{API}{path}", headers={"OSDI-API-Token": token}, params=params)


def follow(client: TestClient, href: str, token: str) -> Any:
    """Follow a link an answer gave (absolute, as HAL gives them)."""
    return client.get(href, headers={"OSDI-API-Token": token})


def person_id(settings: Settings, org_id: int, email: str) -> str:
    return partner_person_id(settings, org_id, email_index(settings, email))


def test_the_entry_point_links_the_collections_a_token_may_read(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    counts = get(client, "/", issue(engine, organiser, ApiTokenRole.counts))
    assert counts.status_code == 200
    assert counts.headers["content-type"].startswith("application/hal+json")
    links = counts.json()["_links"]
    assert links["osdi:petitions"]["href"] == f"http://testserver{API}/petitions"
    assert "osdi:people" not in links
    people = get(client, "/", issue(engine, organiser, ApiTokenRole.people)).json()["_links"]
    assert people["osdi:people"]["href"] == f"http://testserver{API}/people"


def test_without_a_valid_token_the_api_says_why_and_how_to_authenticate(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    missing = client.get(f"{API}/petitions")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "OSDI-API-Token" in missing.json()["detail"]
    wrong = client.get(f"{API}/petitions", headers={"Authorization": "Bearer cpt_forged"})
    assert wrong.status_code == 401 and "unknown" in wrong.json()["detail"]
    token = issue(engine, organiser, ApiTokenRole.counts)
    bearer = client.get(f"{API}/petitions", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200


def test_a_revoked_token_no_longer_opens_the_api(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    token = issue(engine, organiser, ApiTokenRole.people)
    assert get(client, "/petitions", token).status_code == 200
    with transaction(engine) as session:
        row = session.exec(select(ApiToken)).one()
        org = session.get(Organisation, row.organisation_id)
        assert org is not None and row.id is not None
        api_tokens.revoke_token(session, organisation=org, token_id=row.id, by=organiser)
    refused = get(client, "/petitions", token)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_a_counts_token_is_refused_people_and_signatures(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    petition = make_petition(engine)
    token = issue(engine, organiser, ApiTokenRole.counts)
    for path in ("/people", "/people/abc", f"/petitions/{petition.id}/signatures"):
        refused = get(client, path, token)
        assert refused.status_code == 403, path
        assert "counts only" in refused.json()["detail"]
    shown = get(client, f"/petitions/{petition.id}", token).json()
    assert shown["title"] == petition.title
    assert shown["identifiers"] == [f"campaign:{petition.id}"]


def test_petitions_come_in_pages_with_links_and_totals(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    made = [make_petition(engine) for _ in range(5)]
    token = issue(engine, organiser, ApiTokenRole.counts)
    first = get(client, "/petitions", token, per_page=2).json()
    assert (first["total_records"], first["total_pages"], first["page"], first["per_page"]) == (
        5,
        3,
        1,
        2,
    )
    assert "prev" not in first["_links"]
    seen = [p["title"] for p in first["_embedded"]["osdi:petitions"]]
    link = first["_links"]["next"]["href"]
    while link:
        page = client.get(link, headers={"OSDI-API-Token": token}).json()
        seen += [p["title"] for p in page["_embedded"]["osdi:petitions"]]
        assert page["_links"]["prev"]["href"].endswith(f"page={page['page'] - 1}&per_page=2")
        link = page["_links"].get("next", {}).get("href")
    assert seen == [p.title for p in reversed(made)]  # newest first, each once
    assert page["page"] == 3 and page["_links"]["last"]["href"] == page["_links"]["self"]["href"]
    capped = get(client, "/petitions", token, per_page=500).json()
    assert capped["per_page"] == 100 and capped["total_pages"] == 1


def test_another_organisations_petitions_are_invisible(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    theirs = make_petition(engine, title="Theirs", organisation_id=organisation(engine, "Other"))
    token = issue(engine, organiser, ApiTokenRole.people)
    listed = get(client, "/petitions", token).json()
    assert listed["total_records"] == 0
    assert get(client, f"/petitions/{theirs.id}", token).status_code == 404
    assert get(client, f"/petitions/{theirs.id}/signatures", token).status_code == 404


def test_only_signers_who_ticked_the_organisations_box_appear_as_people(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="yes@example.org", wants_updates=True)
    add_signature(engine, settings, petition, email="no@example.org", wants_updates=False)
    add_signature(
        engine, settings, petition, email="pending@example.org", wants_updates=True, confirm=False
    )
    token = issue(engine, organiser, ApiTokenRole.people)
    people = get(client, "/people", token).json()
    addresses = [p["email_addresses"][0]["address"] for p in people["_embedded"]["osdi:people"]]
    assert addresses == ["yes@example.org"] and people["total_records"] == 1
    person = people["_embedded"]["osdi:people"][0]
    assert person["given_name"] == "Ana" and person["family_name"] == "Bialiatskaya"
    assert person["postal_addresses"] == [{"country": "BY", "locality": "Minsk", "primary": True}]
    assert "ip" not in str(person).lower().replace("primary", "")
    signatures = get(client, f"/petitions/{petition.id}/signatures", token).json()
    assert signatures["total_records"] == 1
    own_id = person_id(settings, petition.organisation_id, "yes@example.org")
    href = signatures["_embedded"]["osdi:signatures"][0]["_links"]["osdi:person"]["href"]
    assert href == f"http://testserver{API}/people/{own_id}"
    assert get(client, f"/people/{own_id}", token).json()["identifiers"] == [f"campaign:{own_id}"]
    hidden = person_id(settings, petition.organisation_id, "no@example.org")
    assert get(client, f"/people/{hidden}", token).status_code == 404


def test_a_partner_sees_the_coalition_petition_and_only_its_own_consenting_signers(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    partner = organisation(engine, PARTNER)
    petition = make_petition(engine)
    draft = make_petition(engine, status=PetitionStatus.draft)
    with transaction(engine) as session:
        for p in (petition, draft):
            coalition.set_partners(session, session.get(Petition, p.id), {partner})  # type: ignore[arg-type]
    add_signature(engine, settings, petition, email="both@example.org", wants_updates=True,
                  partners=frozenset({partner}))  # fmt: skip
    add_signature(engine, settings, petition, email="host@example.org", wants_updates=True)
    add_signature(engine, settings, petition, email="partner@example.org",
                  partners=frozenset({partner}))  # fmt: skip
    token = issue(engine, organiser, ApiTokenRole.people, name=PARTNER)
    listed = get(client, "/petitions", token).json()
    assert [p["title"] for p in listed["_embedded"]["osdi:petitions"]] == [petition.title]
    assert get(client, f"/petitions/{draft.id}", token).status_code == 404
    people = get(client, "/people", token).json()["_embedded"]["osdi:people"]
    assert sorted(p["email_addresses"][0]["address"] for p in people) == [
        "both@example.org",
        "partner@example.org",
    ]
    host = get(client, "/people", issue(engine, organiser, ApiTokenRole.people)).json()
    assert sorted(p["email_addresses"][0]["address"] for p in host["_embedded"]["osdi:people"]) == [
        "both@example.org",
        "host@example.org",
    ]


def test_a_person_keeps_one_id_across_petitions_and_each_organisation_has_its_own(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    partner = organisation(engine, PARTNER)
    first, second = make_petition(engine), make_petition(engine)
    with transaction(engine) as session:
        coalition.set_partners(session, session.get(Petition, second.id), {partner})  # type: ignore[arg-type]
    add_signature(engine, settings, first, email="ana@example.org", wants_updates=True,
                  city="Brest")  # fmt: skip
    add_signature(engine, settings, second, email="ana@example.org", wants_updates=True,
                  partners=frozenset({partner}), city="Hrodna")  # fmt: skip
    host_token = issue(engine, organiser, ApiTokenRole.people)
    people = get(client, "/people", host_token).json()
    assert people["total_records"] == 1  # one person, though two signatures
    person = people["_embedded"]["osdi:people"][0]
    assert person["postal_addresses"][0]["locality"] == "Hrodna"  # the newest signature's
    ids = set()
    for petition in (first, second):
        page = get(client, f"/petitions/{petition.id}/signatures", host_token).json()
        ids |= {s["_links"]["osdi:person"]["href"] for s in page["_embedded"]["osdi:signatures"]}
    assert ids == {person["_links"]["self"]["href"]}
    partner_token = issue(engine, organiser, ApiTokenRole.people, name=PARTNER)
    theirs = get(client, "/people", partner_token).json()["_embedded"]["osdi:people"][0]
    assert theirs["identifiers"] != person["identifiers"]
    assert theirs["identifiers"] == [f"campaign:{person_id(settings, partner, 'ana@example.org')}"]
    assert follow(client, person["_links"]["self"]["href"], host_token).status_code == 200
    assert follow(client, person["_links"]["self"]["href"], partner_token).status_code == 404


def test_erased_signers_never_appear(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    from campaign.petitions.retention import erase_address

    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="gone@example.org", wants_updates=True)
    with transaction(engine) as session:
        erase_address(session, email_index(settings, "gone@example.org"))
    token = issue(engine, organiser, ApiTokenRole.people)
    assert get(client, "/people", token).json()["total_records"] == 0
    assert get(client, f"/petitions/{petition.id}/signatures", token).json()["total_records"] == 0


def test_each_page_of_people_or_signatures_is_in_the_audit_trail_naming_the_token(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
    token = issue(engine, organiser, ApiTokenRole.people)
    get(client, "/petitions", token)
    get(client, "/people", token)
    get(client, f"/petitions/{petition.id}/signatures", token)
    with Session(engine) as session:
        reads = session.exec(
            select(AuditEvent).where(AuditEvent.action == "partner_api.read")
        ).all()
    assert [(e.details["export"], e.details["token"], e.details["records"]) for e in reads] == [
        ("people", "CRM sync", 1),
        ("signatures", "CRM sync", 1),
    ]
    client.cookies.clear()
    from tests.conftest import log_in

    log_in(client, organiser.email)
    trail = client.get(f"/admin/organisations/{petition.organisation_id}/audit").text
    assert "The API token CRM sync" in trail and "read 1 person" in trail


def test_a_token_over_its_limit_is_told_when_to_come_back(
    engine: Engine, settings: Settings, organiser: User
) -> None:
    app = create_app(settings.model_copy(update={"partner_api_limit_per_client": "3/minute"}))
    token = issue(engine, organiser, ApiTokenRole.counts)
    with TestClient(app) as client:
        answers = [get(client, "/petitions", token).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        over = get(client, "/petitions", token)
        assert over.status_code == 429 and 0 < int(over.headers["retry-after"]) <= 60
        other = issue(engine, organiser, ApiTokenRole.counts)
        assert get(client, "/petitions", other).status_code == 200  # limited per token
    app.state.engine.dispose()


def test_last_use_is_stamped_at_most_once_a_minute(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    token = issue(engine, organiser, ApiTokenRole.counts)

    def last_used() -> Any:
        with Session(engine) as session:
            return session.exec(select(ApiToken.last_used_at)).one()

    assert last_used() is None
    get(client, "/petitions", token)
    stamped = last_used()
    assert stamped is not None
    get(client, "/petitions", token)
    assert last_used() == stamped  # within the minute: no write
    with transaction(engine) as session:
        row = session.exec(select(ApiToken)).one()
        row.last_used_at = stamped - timedelta(minutes=2)
        session.add(row)
    get(client, "/petitions", token)
    assert last_used() > stamped - timedelta(minutes=2)


def test_refused_requests_count_against_the_token_too(
    engine: Engine, settings: Settings, organiser: User
) -> None:
    app = create_app(settings.model_copy(update={"partner_api_limit_per_client": "3/minute"}))
    token = issue(engine, organiser, ApiTokenRole.counts)
    with TestClient(app) as client:
        answers = [get(client, "/people", token).status_code for _ in range(3)]
        assert answers == [403, 403, 403]
        assert get(client, "/petitions", token).status_code == 429
    app.state.engine.dispose()


def test_a_person_read_through_the_api_is_told_of_when_erased(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    from campaign.hooks.models import WebhookDelivery
    from campaign.privacy import service as privacy
    from tests.hooks.conftest import make_webhook

    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
    token = issue(engine, organiser, ApiTokenRole.people)
    person = get(client, "/people", token).json()["_embedded"]["osdi:people"][0]
    assert follow(client, person["_links"]["self"]["href"], token).status_code == 200
    assert get(client, f"/people/{'0' * 32}", token).status_code == 404
    make_webhook(engine, petition.organisation_id, "http://127.0.0.1:9/in", ["person.erased"])
    with transaction(engine) as session:
        privacy.erase(session, email_index(settings, "ana@example.org"))
    with Session(engine) as session:
        (erased,) = session.exec(select(WebhookDelivery)).all()
    assert erased.payload == {"person": {"identifiers": person["identifiers"]}}
    assert follow(client, person["_links"]["self"]["href"], token).status_code == 404
