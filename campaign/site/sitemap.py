"""/sitemap.xml and /robots.txt: the public pages a search engine may list, so that people
find a petition, a letter campaign or a prisoner to write to. Only what the public may see:
no draft, no campaign naming a hidden person, no prisoner without consent; no organiser's or
volunteer's page."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.core.db import ReadSessionDep
from campaign.core.web import cached_body
from campaign.letters.service.campaigns import public_campaigns
from campaign.petitions.service.finding import public_petitions
from campaign.prisoners.service.prisoners import public_register

router = APIRouter(include_in_schema=False)

# Minutes, not hours: a person whose consent is withdrawn leaves the list at once.
CACHE = "public, max-age=60"
LISTS = ("/", "/petitions", "/letters", "/prisoners", "/officials")


@router.get("/sitemap.xml")
def sitemap(request: Request, session: ReadSessionDep) -> Response:
    base_url = request.app.state.settings.base_url
    paths = [
        *LISTS,
        *(f"/petitions/{petition.slug}" for petition in public_petitions(session)),
        *(f"/letters/{campaign.slug}" for campaign in public_campaigns(session)),
        *(f"/prisoners/{prisoner.slug}" for prisoner, _ in public_register(session)),
    ]
    urls = "".join(f"<url><loc>{escape(base_url + path)}</loc></url>" for path in paths)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
    return cached_body(request, body.encode(), "application/xml", CACHE)


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    """Keep crawlers off the pages that are one person's (a volunteer's, an organiser's)."""
    base_url = request.app.state.settings.base_url
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ("/admin", "/volunteer", "/my-data", "/login")),
        f"Sitemap: {base_url}/sitemap.xml",
    ]
    return cached_body(request, ("\n".join(lines) + "\n").encode(), "text/plain", CACHE)
