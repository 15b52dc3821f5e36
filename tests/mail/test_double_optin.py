"""The shared double opt-in (mail/double_optin.py) when a link is used while its row changes:
the confirmation that finds the row gone or already confirmed counts nothing."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.mail.double_optin import ConfirmOutcome
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import signing
from tests.factories import add_signature, make_petition


def _stale_row(engine: Engine, settings: Settings, petition: Petition) -> tuple[Session, Signature]:
    """A session that has read the pending signature its link names, as a confirmation has."""
    session = Session(engine, expire_on_commit=False)
    row = session.exec(select(Signature)).one()
    token = signing.confirmation_token(settings, row)
    found = signing.signature_for_token(session, settings=settings, petition=petition, token=token)
    assert found is not None and found.status == "pending"
    return session, found


def test_a_confirmation_that_loses_to_not_me_says_the_link_no_longer_works(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", confirm=False)
    session, row = _stale_row(engine, settings, petition)
    with transaction(engine) as other:  # "Not me" from the same link, a moment earlier
        token = signing.confirmation_token(settings, row)
        assert signing.discard_signature(other, settings=settings, petition=petition, token=token)
    with session:
        assert signing.OPT_IN.confirm(session, row, named=False) is ConfirmOutcome.invalid
        session.commit()
    with Session(engine) as check:
        assert check.get(Petition, petition.id).signature_count == 0  # type: ignore[union-attr]


def test_a_second_click_that_loses_the_race_is_told_it_is_already_confirmed(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", confirm=False)
    session, row = _stale_row(engine, settings, petition)
    with transaction(engine) as other:
        token = signing.confirmation_token(settings, row)
        outcome = signing.confirm_signature(
            other, settings=settings, petition=petition, token=token
        )
        assert outcome is ConfirmOutcome.confirmed
    with session:
        assert signing.OPT_IN.confirm(session, row, named=False) is ConfirmOutcome.already
        session.commit()
    with Session(engine) as check:
        assert check.get(Petition, petition.id).signature_count == 1  # type: ignore[union-attr]
