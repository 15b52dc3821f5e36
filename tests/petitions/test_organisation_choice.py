"""A petition is started in one of the organiser's organisations, and its pages say whose it is."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from campaign.accounts.models import Membership, OrgRole, User
from campaign.core.db import transaction
from campaign.petitions.models import Petition
from tests.conftest import csrf_from
from tests.factories import DEFAULT_ORGANISATION, make_member, make_petition, organisation

NEW = "/admin/petitions/new"


def post_new(client: TestClient, organisation_id: str, slug: str) -> object:
    data = {
        "csrf_token": csrf_from(client, "/admin"),
        "organisation_id": organisation_id,
        "title": "Free Maria Kalesnikava",
        "slug": slug,
        "goal": "100",
    }
    return client.post(NEW, data=data)


def stored(engine: Engine) -> list[Petition]:
    with Session(engine) as session:
        return list(session.exec(select(Petition)).all())


def test_a_new_petition_is_made_in_the_organisation_chosen(
    organiser_client: TestClient, organiser: User, engine: Engine
) -> None:
    page = organiser_client.get(NEW).text
    default = organisation(engine)
    # One organisation of their own: it is chosen already.
    assert f'<option value="{default}" selected>{DEFAULT_ORGANISATION}</option>' in page
    make_member(engine, organiser.id, OrgRole.campaigner, "Viasna abroad")
    partner = organisation(engine, "Viasna abroad")
    page = organiser_client.get(NEW).text
    assert "Viasna abroad" in page and " selected>" not in page.split('name="organisation_id"')[1]
    response = post_new(organiser_client, str(partner), "free-maria")
    assert response.status_code == 303  # type: ignore[attr-defined]
    [petition] = stored(engine)
    assert petition.organisation_id == partner and petition.slug == "free-maria"
    edit = organiser_client.get(f"/admin/petitions/{petition.id}/edit").text
    assert "Viasna abroad" in edit and 'name="organisation_id"' not in edit


def test_an_organisation_the_organiser_does_not_campaign_in_is_refused(
    organiser_client: TestClient, organiser: User, engine: Engine
) -> None:
    stranger = organisation(engine, "Someone else's group")
    make_member(engine, organiser.id, OrgRole.viewer, "Watched group")
    watched = organisation(engine, "Watched group")
    for chosen in (str(stranger), str(watched), "", "9999999", "x"):
        response = post_new(organiser_client, chosen, "refused")
        assert response.status_code == 400, chosen  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        assert 'id="error-organisation_id"' in text and "Choose one of your organisations." in text
        assert "Someone else&#39;s group" not in text and "Watched group" not in text
    assert stored(engine) == []


def test_an_organiser_who_campaigns_nowhere_is_told_which_role_starting_one_needs(
    organiser_client: TestClient, organiser: User, engine: Engine
) -> None:
    with transaction(engine) as session:
        session.execute(delete(Membership).where(Membership.user_id == organiser.id))  # type: ignore[arg-type]
    page = organiser_client.get(NEW)
    assert page.status_code == 403
    assert "in at least one of your organisations: owner, campaigner" in page.text
    assert 'action="/admin/petitions/new"' not in page.text
    response = post_new(organiser_client, str(organisation(engine)), "no-home")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert stored(engine) == []


def test_the_public_pages_say_who_is_behind_the_petition(
    client: TestClient, engine: Engine
) -> None:
    group = organisation(engine, "Belarusian Solidarity & Friends")
    petition = make_petition(engine, organisation_id=group)
    shown = "By Belarusian Solidarity &amp; Friends"
    assert shown in client.get(f"/petitions/{petition.slug}").text
    assert shown in client.get(f"/petitions/{petition.slug}/embed").text
    assert shown in client.get("/petitions").text
