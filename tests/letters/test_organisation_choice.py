"""A letter campaign is started in one of the organiser's organisations; its page says whose."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from campaign.accounts.models import Membership, OrgRole, User
from campaign.core.db import transaction
from campaign.letters.models import LetterCampaign
from campaign.letters.service import campaigns
from tests.conftest import csrf_from
from tests.factories import DEFAULT_ORGANISATION, make_letter_campaign, make_member, organisation

NEW = "/admin/letters/new"


def post_new(client: TestClient, organisation_id: str, slug: str, path: str = NEW):  # type: ignore[no-untyped-def]
    defaults = campaigns.form_values(LetterCampaign(slug="", title="", organisation_id=0))
    data = {
        **{k: v for k, v in defaults.items() if k not in {"allow_mailto", "body_locked"}},
        "csrf_token": csrf_from(client, "/admin"),
        "organisation_id": organisation_id,
        "title": "Write for Ales Bialiatski",
        "slug": slug,
        "target_mode": "all",
        "allow_print": "1",
    }
    return client.post(path, data=data)


def stored(engine: Engine) -> list[LetterCampaign]:
    with Session(engine) as session:
        return list(session.exec(select(LetterCampaign)).all())


def test_a_new_campaign_is_made_in_the_organisation_chosen(
    organiser_client: TestClient, organiser: User, engine: Engine
) -> None:
    default = organisation(engine)
    page = organiser_client.get(NEW).text
    assert f'<option value="{default}" selected>{DEFAULT_ORGANISATION}</option>' in page
    make_member(engine, organiser.id, OrgRole.campaigner, "Libereco")
    partner = organisation(engine, "Libereco")
    response = post_new(organiser_client, str(partner), "write-for-ales")
    assert response.status_code == 303
    [campaign] = stored(engine)
    assert campaign.organisation_id == partner and campaign.slug == "write-for-ales"
    edit = organiser_client.get(f"/admin/letters/{campaign.id}").text
    assert "Libereco" in edit and 'name="organisation_id"' not in edit
    # Saving it again keeps it where it is, whatever the form says (moving is not offered).
    path = f"/admin/letters/{campaign.id}"
    assert post_new(organiser_client, str(default), "write-for-ales", path).status_code == 303
    assert [c.organisation_id for c in stored(engine)] == [partner]


def test_an_organisation_the_organiser_does_not_campaign_in_is_refused(
    organiser_client: TestClient, organiser: User, engine: Engine
) -> None:
    stranger = organisation(engine, "Someone else's group")
    make_member(engine, organiser.id, OrgRole.steward, "Stewarded group")
    stewarded = organisation(engine, "Stewarded group")
    for chosen in (str(stranger), str(stewarded), "", "-1"):
        response = post_new(organiser_client, chosen, "refused")
        assert response.status_code == 400, chosen
        assert 'id="error-organisation_id"' in response.text
        assert "Choose one of your organisations." in response.text
    assert stored(engine) == []


def test_an_organiser_who_campaigns_nowhere_is_told_which_role_starting_one_needs(
    organiser_client: TestClient, organiser: User, engine: Engine
) -> None:
    with transaction(engine) as session:
        session.execute(delete(Membership).where(Membership.user_id == organiser.id))  # type: ignore[arg-type]
    page = organiser_client.get(NEW)
    assert page.status_code == 403
    assert "in at least one of your organisations: owner, campaigner" in page.text
    assert 'action="/admin/letters/new"' not in page.text
    assert post_new(organiser_client, str(organisation(engine)), "no-home").status_code == 403
    assert stored(engine) == []


def test_the_campaign_page_says_who_is_behind_it(client: TestClient, engine: Engine) -> None:
    group = organisation(engine, "Razam e.V.")
    campaign = make_letter_campaign(engine, organisation_id=group)
    assert "By Razam e.V." in client.get(f"/letters/{campaign.slug}").text
