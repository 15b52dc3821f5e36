"""The partner API's documents, shaped like OSDI (https://opensupporter.github.io/osdi-docs/):
HAL+JSON resources with `_links`, collections with `_embedded` and page counts. The models
describe the answers in the OpenAPI document; aliases carry HAL's and OSDI's spellings."""

from __future__ import annotations

from datetime import datetime
from math import ceil
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from campaign.petitions.models import Petition
from campaign.petitions.service import public
from campaign.petitions.service.partner_api import Person, SignatureRow

ORIGIN = "campaign"
PER_PAGE = 25
MAX_PER_PAGE = 100
CURIES = [
    {"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
]


class HalJSONResponse(JSONResponse):
    media_type = "application/hal+json"


class Hal(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Link(Hal):
    href: str
    templated: bool | None = None
    name: str | None = None


Links = dict[str, Link | list[Link]]


class Target(Hal):
    name: str


class OsdiPetition(Hal):
    identifiers: list[str]
    origin_system: str = ORIGIN
    created_date: datetime
    modified_date: datetime
    title: str
    description: str
    petition_text: str
    browser_url: str
    target: list[Target]
    total_signatures: int
    goal: int = Field(alias="campaign:goal")
    status: str = Field(alias="campaign:status")
    links: Links = Field(alias="_links")


class EmailAddress(Hal):
    address: str
    primary: bool = True
    status: str = "subscribed"


class PostalAddress(Hal):
    country: str
    locality: str
    primary: bool = True


class OsdiPerson(Hal):
    identifiers: list[str]
    origin_system: str = ORIGIN
    created_date: datetime
    modified_date: datetime
    given_name: str
    family_name: str
    name: str = Field(alias="campaign:name", description="The name as the signer typed it.")
    email_addresses: list[EmailAddress]
    postal_addresses: list[PostalAddress]
    languages_spoken: list[str]
    links: Links = Field(alias="_links")


class OsdiSignature(Hal):
    identifiers: list[str]
    origin_system: str = ORIGIN
    created_date: datetime
    modified_date: datetime
    links: Links = Field(alias="_links")


class Page(Hal):
    total_pages: int
    per_page: int
    page: int
    total_records: int
    links: Links = Field(alias="_links")


class EmbeddedPetitions(Hal):
    petitions: list[OsdiPetition] = Field(alias="osdi:petitions")


class EmbeddedPeople(Hal):
    people: list[OsdiPerson] = Field(alias="osdi:people")


class EmbeddedSignatures(Hal):
    signatures: list[OsdiSignature] = Field(alias="osdi:signatures")


class PetitionsPage(Page):
    embedded: EmbeddedPetitions = Field(alias="_embedded")


class PeoplePage(Page):
    embedded: EmbeddedPeople = Field(alias="_embedded")


class SignaturesPage(Page):
    embedded: EmbeddedSignatures = Field(alias="_embedded")


class EntryPoint(Hal):
    motd: str
    vendor_name: str = ORIGIN
    product_name: str = ORIGIN
    osdi_version: str = "1.0"
    max_pagesize: int = MAX_PER_PAGE
    links: Links = Field(alias="_links")


def problem(description: str) -> dict[str, Any]:
    """An error answer in the OpenAPI document: the app's JSON errors, `{"detail": "…"}`."""
    detail = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    return {"description": description, "content": {"application/json": {"schema": detail}}}


def link(href: str) -> Link:
    return Link(href=href)


def paging(url: str, *, page: int, per_page: int, total: int) -> tuple[int, Links]:
    """The number of pages, and the links of a collection's page: self, first, last, and next
    and prev where there are such pages."""
    pages = max(1, ceil(total / per_page))

    def at(number: int) -> Link:
        return link(f"{url}?{urlencode({'page': number, 'per_page': per_page})}")

    links: Links = {"self": at(page), "first": at(1), "last": at(pages)}
    if page < pages:
        links["next"] = at(page + 1)
    if page > 1:  # from past the end, back to the last page
        links["prev"] = at(min(page - 1, pages))
    links["curies"] = [Link.model_validate(curie) for curie in CURIES]
    return pages, links


# -- the documents -------------------------------------------------------------------------------


def petition_document(petition: Petition, base: str, site: str) -> OsdiPetition:
    """A petition as OSDI writes it; `base` is the API's address, `site` the public site's."""
    return OsdiPetition(
        identifiers=[f"{ORIGIN}:{petition.id}"],
        created_date=petition.created_at,
        modified_date=petition.updated_at,
        title=petition.title,
        description=petition.summary,
        petition_text=petition.body,
        browser_url=f"{site}/petitions/{petition.slug}",
        target=[Target(name=petition.addressee)] if petition.addressee else [],
        total_signatures=petition.signature_count,
        goal=petition.goal,
        status=public.public_status(petition),
        links={
            "self": link(f"{base}/petitions/{petition.id}"),
            "osdi:signatures": link(f"{base}/petitions/{petition.id}/signatures"),
        },
    )


def signature_document(row: SignatureRow, petition_id: int, base: str) -> OsdiSignature:
    """A signature, linking its petition and its signer."""
    return OsdiSignature(
        identifiers=[f"{ORIGIN}:{row.id}"],
        created_date=row.signed_at,
        modified_date=row.confirmed_at,
        links={
            "osdi:petition": link(f"{base}/petitions/{petition_id}"),
            "osdi:person": link(f"{base}/people/{row.person_id}"),
        },
    )


def person_document(person: Person, base: str) -> OsdiPerson:
    """A person; the one name signers type is split at its last space for OSDI's two."""
    given, _space, family = person.name.strip().rpartition(" ")
    return OsdiPerson(
        identifiers=[f"{ORIGIN}:{person.id}"],
        created_date=person.first_signed,
        modified_date=person.last_signed,
        given_name=given or family,
        family_name=family if given else "",
        name=person.name,
        email_addresses=[EmailAddress(address=person.email)],
        postal_addresses=[PostalAddress(country=person.country, locality=person.city)],
        languages_spoken=[person.locale],
        links={"self": link(f"{base}/people/{person.id}")},
    )
