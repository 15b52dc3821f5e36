"""Facilities: prisons, colonies and detention centres, each with the address letters go to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.core.countries import is_country
from campaign.core.i18n import _
from campaign.core.web import FormErrors
from campaign.prisoners.models import Facility, Prisoner


@dataclass(frozen=True)
class FacilityForm:
    name: str
    address: str
    country: str
    notes: str


def parse_facility(raw: Mapping[str, str]) -> tuple[FacilityForm | None, FormErrors]:
    """Check a facility's fields; errors by field."""
    errors = FormErrors()
    name = " ".join(raw.get("name", "").split())
    address = raw.get("address", "").replace("\r\n", "\n").strip()
    country = raw.get("country", "").strip().upper()
    notes = raw.get("notes", "").replace("\r\n", "\n").strip()
    if not name or len(name) > 200:
        errors.add(
            "name", _("Give the facility a name of at most %(count)s characters.", count=200)
        )
    if len(address) > 1000:
        errors.add("address", _("Use at most %(count)s characters.", count=1000))
    if not is_country(country):
        errors.add("country", _("Use a two-letter country code such as BY."))
    if len(notes) > 5000:
        errors.add("notes", _("Use at most %(count)s characters.", count=5000))
    if errors:
        return None, errors
    return FacilityForm(name, address, country, notes), errors


def name_taken(session: Session, name: str, *, except_id: int | None) -> bool:
    """Whether another facility already has this name."""
    query = select(Facility.id).where(Facility.name == name)
    if except_id is not None:
        query = query.where(Facility.id != except_id)
    return session.exec(query).first() is not None


def save_facility(
    session: Session, *, form: FacilityForm, facility: Facility | None = None
) -> Facility:
    """Create a facility or change one."""
    facility = facility or Facility(name=form.name)
    facility.name, facility.address = form.name, form.address
    facility.country, facility.notes = form.country, form.notes
    session.add(facility)
    session.flush()
    return facility


def list_facilities(session: Session) -> list[tuple[Facility, int]]:
    """Every facility by name, with how many people in the register it holds now."""
    held = dict(
        session.exec(
            select(Prisoner.facility_id, func.count())
            .where(col(Prisoner.facility_id).is_not(None))
            .group_by(col(Prisoner.facility_id))
        ).all()
    )
    facilities = session.exec(select(Facility).order_by(col(Facility.name))).all()
    return [(facility, int(held.get(facility.id, 0))) for facility in facilities]
