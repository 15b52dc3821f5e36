"""One confirmation link used twice at the same moment (a double click, a mail scanner and the
supporter) counts the signature once, on both databases.

The two uses really overlap: each runs in its own thread with its own session and connection,
and both are held just before the statement that confirms until both have read the signature
as still pending, so neither can see the other's result before it tries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, PetitionTally, Signature
from campaign.petitions.service import signing
from tests.factories import add_signature, make_petition


@contextmanager
def held_together(engine: Engine, parties: int, statement: Callable[[str], bool]) -> Iterator[None]:
    """Each thread stops before its first statement that `statement` matches until `parties`
    threads have reached one (a barrier, not a queue): then they all go at once."""
    barrier = threading.Barrier(parties, timeout=15)
    arrived: set[int] = set()

    def hold(conn, cursor, text, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement(text) and threading.get_ident() not in arrived:
            arrived.add(threading.get_ident())
            barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def is_confirming(text: str) -> bool:
    return text.lstrip().upper().startswith("UPDATE SIGNATURE") and "confirmed_at" in text


def test_one_link_used_twice_at_the_same_moment_counts_once(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    rounds = 3
    for n in range(rounds):
        add_signature(
            engine, settings, petition, email=f"p{n}@example.org", country="BY", confirm=False
        )
    with Session(engine) as session:
        tokens = [
            signing.confirmation_token(settings, row)
            for row in session.exec(select(Signature)).all()
        ]
    start = threading.Barrier(2, timeout=15)

    def use(token: str) -> str:
        start.wait()
        with transaction(engine) as session:
            return signing.confirm_signature(
                session, settings=settings, petition=petition, token=token
            ).value

    for token in tokens:
        with held_together(engine, 2, is_confirming), ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = sorted(pool.map(use, [token, token]))
        assert outcomes == ["already", "confirmed"]
    with Session(engine) as session:
        assert session.get(Petition, petition.id).signature_count == rounds  # type: ignore[union-attr]
        assert [(t.country, t.count) for t in session.exec(select(PetitionTally)).all()] == [
            ("BY", rounds)
        ]
        assert {row.status for row in session.exec(select(Signature)).all()} == {"confirmed"}
