"""Paper sheets as the service counts them: in the total and by country, once per sheet number,
undone back to where they were, names kept encrypted and erased with the petition's data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.petitions.models import PaperSignature, Petition, PetitionStatus
from campaign.petitions.retention import anonymise_due
from campaign.petitions.service import handover, paper
from campaign.petitions.service.counting import tallies
from tests.factories import add_signature, make_petition


def _fresh(engine: Engine, petition: Petition) -> Petition:
    with Session(engine) as session:
        found = session.get(Petition, petition.id)
        assert found is not None
        return found


def _tallies(engine: Engine, petition: Petition) -> dict[str, int]:
    with Session(engine) as session:
        return dict(tallies(session, petition))


def test_a_tally_counts_in_the_total_and_its_country(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", country="LT")
    with transaction(engine) as session:
        paper.enter_tally(session, petition=petition, number=1, count=12, country="BY", by=None)
    counted = _fresh(engine, petition)
    assert (counted.signature_count, counted.paper_count) == (13, 12)
    assert _tallies(engine, petition) == {"BY": 12, "LT": 1}
    with Session(engine) as session:
        summary = handover.summarise(session, counted, handover.Choice())
    assert (summary.total, summary.paper) == (13, 12)
    assert summary.withheld == 13  # paper signers are never named


def test_a_sheet_number_counts_once(engine: Engine) -> None:
    petition = make_petition(engine)
    with transaction(engine) as session:
        paper.enter_tally(session, petition=petition, number=7, count=3, country="PL", by=None)
    with pytest.raises(paper.SheetError) as refused, transaction(engine) as session:
        paper.enter_tally(session, petition=petition, number=7, count=5, country="PL", by=None)
    assert refused.value.field == "number"
    assert _fresh(engine, petition).signature_count == 3
    other = make_petition(engine)
    with transaction(engine) as session:  # the same number on another petition is its own sheet
        paper.enter_tally(session, petition=other, number=7, count=2, country="PL", by=None)
    assert _fresh(engine, other).paper_count == 2


def test_the_database_refuses_a_second_sheet_of_one_number(engine: Engine) -> None:
    petition = make_petition(engine)
    with transaction(engine) as session:
        paper.enter_tally(session, petition=petition, number=4, count=1, country="PL", by=None)
    insert = text(
        "INSERT INTO paper_sheet (petition_id, number, count, country, entry, entered_at) "
        "VALUES (:p, 4, 1, 'PL', 'tally', CURRENT_TIMESTAMP)"
    )
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.execute(insert, {"p": petition.id})


def test_rows_are_encrypted_counted_by_their_country_and_erased_on_undo(engine: Engine) -> None:
    petition = make_petition(engine)
    rows = [
        paper.Row(line=1, country="BY", name="Алесь Бяляцкі", city="Мінск"),
        paper.Row(line=2, country="LT"),
        paper.Row(line=3, country="BY", name="Olga"),
    ]
    with transaction(engine) as session:
        sheet = paper.enter_rows(
            session, petition=petition, number=2, country="BY", rows=rows, by=None
        )
        sheet_id = sheet.id
    assert _tallies(engine, petition) == {"BY": 2, "LT": 1}
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT name, city FROM paper_signature")).all()
    assert len(stored) == 3
    assert all("Алесь" not in name and "Мінск" not in city for name, city in stored)
    with Session(engine) as session:
        names = session.exec(select(PaperSignature.name).order_by(PaperSignature.line)).all()
    assert names == ["Алесь Бяляцкі", "", "Olga"]
    with transaction(engine) as session:
        undone = paper.undo_sheet(session, petition=petition, sheet_id=sheet_id, by=None)  # type: ignore[arg-type]
        assert undone is not None and undone.undone_at is not None
    counted = _fresh(engine, petition)
    assert (counted.signature_count, counted.paper_count) == (0, 0)
    assert _tallies(engine, petition) == {}
    with Session(engine) as session:
        assert session.exec(select(PaperSignature)).all() == []
    with transaction(engine) as session:  # undone twice changes nothing
        assert paper.undo_sheet(session, petition=petition, sheet_id=sheet_id, by=None) is None  # type: ignore[arg-type]
        # and its number may be entered again, correctly this time
        paper.enter_tally(session, petition=petition, number=2, count=3, country="BY", by=None)
    assert _fresh(engine, petition).signature_count == 3


def test_retention_erases_names_typed_in_from_paper(engine: Engine, settings: Settings) -> None:
    petition = make_petition(
        engine, status=PetitionStatus.closed, closed_at=utcnow() - timedelta(days=400)
    )
    with transaction(engine) as session:
        paper.enter_rows(
            session,
            petition=petition,
            number=1,
            country="BY",
            rows=[paper.Row(line=1, country="BY", name="Secret Name", city="Hrodna")],
            by=None,
        )
    with transaction(engine) as session:
        assert anonymise_due(session, settings=settings.model_copy(update={"retention_months": 6}))
    with Session(engine) as session:
        row = session.exec(select(PaperSignature)).one()
    assert (row.name, row.city, row.country) == ("", "", "BY")
    assert _fresh(engine, petition).paper_count == 1  # the count stays


def test_a_sheet_entered_twice_at_the_same_moment_is_refused_like_any_repeat(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    petition = make_petition(engine)
    with transaction(engine) as session:
        paper.enter_tally(session, petition=petition, number=5, count=3, country="PL", by=None)
    # The second organiser checked the number before the first one's entry was committed.
    monkeypatch.setattr(paper, "number_taken", lambda *_args: False)
    with transaction(engine) as session, pytest.raises(paper.SheetError) as refused:
        paper.enter_tally(session, petition=petition, number=5, count=9, country="PL", by=None)
    assert refused.value.field == "number"
    assert _fresh(engine, petition).paper_count == 3


@pytest.mark.parametrize("status", [PetitionStatus.draft, PetitionStatus.archived])
def test_no_paper_sheet_is_entered_for_a_draft_or_an_archived_petition(
    engine: Engine, status: PetitionStatus
) -> None:
    petition = make_petition(engine, status=status)
    with transaction(engine) as session, pytest.raises(paper.SheetError):
        paper.enter_tally(session, petition=petition, number=1, count=20, country="PL", by=None)
    assert _fresh(engine, petition).signature_count == 0


def test_a_sheet_moved_to_another_country_changes_what_the_public_pages_are_versioned_by(
    engine: Engine,
) -> None:
    from campaign.petitions.service.public import petition_version

    petition = make_petition(engine)
    with transaction(engine) as session:
        sheet = paper.enter_tally(
            session, petition=petition, number=1, count=3, country="PL", by=None
        )
    before = petition_version(_fresh(engine, petition))
    with transaction(engine) as session:
        paper.undo_sheet(session, petition=petition, sheet_id=sheet.id, by=None)  # type: ignore[arg-type]
        paper.enter_tally(session, petition=petition, number=1, count=3, country="LT", by=None)
    after = _fresh(engine, petition)
    assert after.signature_count == 3 and petition_version(after) != before
