"""Every organiser page fits a 360 px phone: an administrator who is a member of every
organisation walks the organiser area from /admin, following its links (one page of each kind),
and no page is wider than the screen; a wide table scrolls inside its own box, which the keyboard
can reach and a screen reader names."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from campaign.accounts.models import Organisation, OrgRole, Role
from campaign.accounts.service.accounts import create_organiser
from campaign.accounts.service.organisations import add_member
from campaign.core.db import make_engine, transaction
from tests.conftest import PASSWORD, with_two_factor
from tests.e2e.helpers import Site, log_in_as

ADMIN = "phone-admin@example.org"
# Downloads, the HTML of caught mail, and what signs out are not pages to look at.
NOT_A_PAGE = re.compile(r"\.(csv|pdf|json|svg|png)$|/logout|/signout|/export")
WIDTH = """() => ({
    page: document.documentElement.scrollWidth,
    screen: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((el) => !el.closest(".table-wrap"))
        .slice(0, 3)
        .map((el) => el.outerHTML.slice(0, 100)),
})"""
# A table that is not the only child of a box that scrolls sideways, takes the focus and has a name.
UNBOXED_TABLES = """() => [...document.querySelectorAll("main table")]
    .filter((table) => {
        const box = table.parentElement;
        const style = getComputedStyle(box);
        const named = box.getAttribute("aria-label") || box.getAttribute("aria-labelledby");
        return !(box.classList.contains("table-wrap") && style.overflowX === "auto"
                 && box.tabIndex === 0 && named && box.getAttribute("role") === "region");
    })
    .map((table) => table.outerHTML.slice(0, 80))"""


@pytest.fixture(params=["phone"])
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def an_administrator_in_every_organisation(site: Site) -> None:
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            user = create_organiser(session, email=ADMIN, password=PASSWORD, role=Role.admin)
            for organisation in session.exec(select(Organisation)).all():
                add_member(session, organisation, user, OrgRole.owner)
        with_two_factor(engine, user)
    finally:
        engine.dispose()


def kind_of(path: str) -> str:
    """Pages of one kind share a path but for their ids and languages."""
    path = re.sub(r"/\d+", "/{id}", path)
    return re.sub(r"/(en|be|ru|uk|pl|lt|de)(?=/|$)", "/{locale}", path)


def organiser_links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.path.startswith(("/admin", "/account")) and not NOT_A_PAGE.search(parts.path):
            paths.append(parts.path)
    return paths


def test_every_organiser_page_fits_a_phone_and_its_tables_scroll_in_their_own_box(
    page: Page, site: Site
) -> None:
    an_administrator_in_every_organisation(site)
    log_in_as(page, site, ADMIN, PASSWORD)
    waiting, kinds = ["/admin", "/account/two-factor"], set()
    too_wide: dict[str, object] = {}
    unboxed: dict[str, list[str]] = {}
    walked = []
    while waiting:
        path = waiting.pop(0)
        if kind_of(path) in kinds:
            continue
        kinds.add(kind_of(path))
        response = page.goto(site.url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        walked.append(path)
        measured = page.evaluate(WIDTH)
        if measured["page"] > measured["screen"]:
            too_wide[path] = measured
        if tables := page.evaluate(UNBOXED_TABLES):
            unboxed[path] = tables
        waiting += [link for link in organiser_links(page) if kind_of(link) not in kinds]
    assert not too_wide, f"wider than a 360 px phone: {too_wide}"
    assert not unboxed, f"tables outside a scrolling, focusable, named box: {unboxed}"
    # The walk reached the pages the issue names, and the rest of the area.
    for kind in (
        "/admin",
        "/admin/letters/{id}/dashboard",
        "/admin/petitions/{id}",
        "/admin/prisoners/dashboard",
        "/admin/prisoners/{id}/events",
        "/admin/audit",
        "/admin/organisations/{id}/audit",
    ):
        assert kind in kinds, (kind, sorted(kinds))
    assert len(walked) >= 25, walked
