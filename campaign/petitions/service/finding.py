"""Finding petitions: /petitions searched, filtered by state, sorted and paged; how many there
are in each state; every public petition for the open data."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from campaign.content.service import texts_in
from campaign.core.db import utcnow
from campaign.petitions.forms import Order, PetitionSearch, Shown
from campaign.petitions.models import Petition, PetitionStatus

PAGE_SIZE = 20


@dataclass(frozen=True)
class Found:
    """One page of a search, with how many petitions matched in all."""

    petitions: list[Petition]
    total: int
    page: int
    pages: int


def _public() -> ColumnElement[bool]:
    return col(Petition.status).in_([PetitionStatus.open.value, PetitionStatus.closed.value])


def _signable() -> ColumnElement[bool]:
    return and_(
        col(Petition.status) == PetitionStatus.open,
        or_(col(Petition.ends_at).is_(None), col(Petition.ends_at) > utcnow()),
    )


def _shown(shown: Shown) -> ColumnElement[bool]:
    """Open: can be signed now (won or not). Won: marked won. Closed: signing ended (closed by
    an organiser or past its end date) without a win."""
    if shown is Shown.open:
        return _signable()
    if shown is Shown.won:
        return and_(_public(), col(Petition.won_at).is_not(None))
    return and_(_public(), ~_signable(), col(Petition.won_at).is_(None))


_ORDER: dict[Order, tuple[Any, ...]] = {
    Order.newest: (col(Petition.published_at).desc(), col(Petition.id).desc()),
    Order.signed: (col(Petition.signature_count).desc(), col(Petition.id).desc()),
    # Those with no end date last, on both databases (PostgreSQL puts NULL first when ascending).
    Order.ending: (
        col(Petition.ends_at).is_(None),
        col(Petition.ends_at),
        col(Petition.id).desc(),
    ),
}


def folded(text: str) -> str:
    """Text as a search compares it: case and accents folded (Ä as a, Č as c), in every script
    and on both databases alike (SQLite's lower() folds ASCII only)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _matching_ids(
    session: Session, where: ColumnElement[bool], text: str, locale: str
) -> list[int]:
    """The petitions in `where` whose title or summary, as written or in the visitor's language,
    holds every word of `text`. Compared here rather than in SQL: a site has hundreds of
    petitions, not millions, and only this compares Cyrillic or Lithuanian case-blind on both
    databases."""
    words = folded(text).split()
    rows = session.exec(select(Petition.id, Petition.title, Petition.summary).where(where)).all()
    translated = texts_in(session, "petition", locale, ("title", "summary"))
    found = []
    for petition_id, title, summary in rows:
        assert petition_id is not None
        haystack = folded(" ".join([title, summary, *translated.get(petition_id, [])]))
        if all(word in haystack for word in words):
            found.append(petition_id)
    return found


def find_petitions(
    session: Session, search: PetitionSearch, *, locale: str, page_size: int = PAGE_SIZE
) -> Found:
    """One page of the public petitions this search asks for (the last page if it asks for a
    page past the end)."""
    where = _shown(search.shown)
    if search.text:
        matching = _matching_ids(session, where, search.text, locale)
        where = and_(where, col(Petition.id).in_(matching))
    total = int(session.exec(select(func.count()).select_from(Petition).where(where)).one())
    pages = max(1, -(-total // page_size))
    page = min(search.page, pages)
    petitions = session.exec(
        select(Petition)
        .where(where)
        .order_by(*_ORDER[search.order])
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Found(list(petitions), total, page, pages)


def counts_by_state(session: Session) -> dict[str, int]:
    """How many public petitions each filter shows, in one query."""
    sums = [func.count().filter(_shown(shown)) for shown in Shown]
    row = session.execute(select(*sums).select_from(Petition).where(_public())).one()
    return {shown.value: int(n or 0) for shown, n in zip(Shown, row, strict=True)}


def public_petitions(session: Session) -> list[Petition]:
    """Every petition the public may see (open or closed), newest first: the open data."""
    query = select(Petition).where(_public()).order_by(*_ORDER[Order.newest])
    return list(session.exec(query).all())
