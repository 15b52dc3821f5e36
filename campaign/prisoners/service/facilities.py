"""Facilities: prisons, colonies and detention centres, each with the address letters go to."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.prisoners.forms import FacilityForm
from campaign.prisoners.models import Facility, Prisoner


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


def facility_ids(session: Session) -> dict[str, int]:
    """Facility names to ids."""
    rows = session.exec(select(Facility.name, Facility.id)).all()
    return {name: fid for name, fid in rows if fid is not None}


def facility_names(session: Session) -> dict[int, str]:
    """Facility ids to names."""
    return {fid: name for name, fid in facility_ids(session).items()}
