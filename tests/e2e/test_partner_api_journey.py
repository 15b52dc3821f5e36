"""Journey: an organisation's owner issues an API token for the organisation's CRM, copies it
from the one page that shows it, the CRM reads the petitions through the partner API, and once
the owner revokes the token the API refuses it."""

from __future__ import annotations

import httpx2 as httpx
from playwright.sync_api import Page

from tests.e2e.helpers import Site, assert_accessible, log_in_as_demo_owner

API = "/api/osdi/v1"


def read(site: Site, path: str, token: str) -> httpx.Response:
    return httpx.get(f"{site.url}{API}{path}", headers={"OSDI-API-Token": token}, timeout=10)


def test_an_owner_issues_a_token_the_crm_reads_petitions_with_until_it_is_revoked(
    page: Page, site: Site, variant: str
) -> None:
    log_in_as_demo_owner(page, site)
    page.goto(site.url + "/admin/organisations")
    page.locator("main a[href^='/admin/organisations/']:not([href$='/privacy'])").first.click()
    page.get_by_role("link", name="API tokens").click()
    assert_accessible(page)

    name = f"CRM sync {variant}"
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_label("petitions, signatures and the people who agreed to be contacted").check()
    page.get_by_role("button", name="Issue the token").click()
    page.wait_for_load_state()
    assert f"Copy the token {name} now" in page.content()
    secret = page.get_by_label("The new token").input_value()
    assert secret.startswith("cpt_")
    assert_accessible(page)

    petitions = read(site, "/petitions", secret)
    assert petitions.status_code == 200
    assert petitions.headers["content-type"].startswith("application/hal+json")
    found = petitions.json()
    assert found["total_records"] >= 1 and found["_embedded"]["osdi:petitions"]
    assert found["_embedded"]["osdi:petitions"][0]["identifiers"][0].startswith("campaign:")
    assert read(site, "/people", secret).status_code == 200

    page.reload()  # the token is not shown again; its use is
    assert secret not in page.content()
    row = page.get_by_role("row").filter(has_text=name)
    assert "never" not in row.inner_text()
    page.get_by_role("button", name=f"Revoke {name}").click()
    page.wait_for_load_state()
    assert f"The token {name} is revoked" in page.content()

    refused = read(site, "/petitions", secret)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
