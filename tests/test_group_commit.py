"""Group commit (core/writes.py): public writes that wait together are committed together, each
answered only after its transaction committed, in its own request's language; one write that
fails costs the others nothing. On both databases, through real transactions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from campaign.core.i18n import get_locale, set_locale
from campaign.core.settings import Settings
from campaign.core.writes import GroupCommit
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import counting, signing
from tests.factories import add_signature, make_petition


@pytest.fixture
def probe(engine: Engine) -> Iterator[Engine]:
    """A table of names, one row per write that was stored."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE group_commit_probe (name VARCHAR(50) PRIMARY KEY)"))
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE group_commit_probe"))


def stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name FROM group_commit_probe ORDER BY name"))
        return [row[0] for row in rows]


def insert(name: str) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        session.execute(
            text("INSERT INTO group_commit_probe (name) VALUES (:name)"), {"name": name}
        )
        return name

    return work


def test_writes_waiting_together_commit_in_one_transaction_and_each_gets_its_answer(
    probe: Engine,
) -> None:
    writes = GroupCommit(probe, threads=1, batch=16)
    started, release = threading.Event(), threading.Event()
    seen_after_commit: dict[str, bool] = {}

    def blocking(session: Session) -> str:
        started.set()
        release.wait(10)
        return insert("a-first")(session)

    def then(name: str) -> str:
        seen_after_commit[name] = name in stored(probe)  # another connection sees it: committed
        return name.upper()

    async def surge() -> list[str]:
        first = asyncio.ensure_future(writes.submit(blocking, then, key="x"))
        await asyncio.to_thread(started.wait, 10)
        rest = [writes.submit(insert(f"b-{n}"), then, key="x") for n in range(5)]
        waiting = [asyncio.ensure_future(each) for each in rest]
        await asyncio.sleep(0.1)  # all five queued behind the one thread
        release.set()
        return [await first, *await asyncio.gather(*waiting)]

    answers = asyncio.run(surge())
    assert answers == ["A-FIRST", "B-0", "B-1", "B-2", "B-3", "B-4"]
    assert stored(probe) == ["a-first", "b-0", "b-1", "b-2", "b-3", "b-4"]
    assert writes.transactions == 2  # the first alone, the five behind it together
    assert all(seen_after_commit.values()) and len(seen_after_commit) == 6


def test_a_write_that_fails_after_writing_costs_the_others_in_its_batch_nothing(
    probe: Engine,
) -> None:
    writes = GroupCommit(probe, threads=1, batch=16)
    started, release = threading.Event(), threading.Event()

    def blocking(session: Session) -> str:
        started.set()
        release.wait(10)
        return "first"

    def failing(session: Session) -> str:
        insert("never")(session)
        raise LookupError("no such petition")

    async def surge() -> list[object]:
        first = asyncio.ensure_future(writes.submit(blocking, str, key="x"))
        await asyncio.to_thread(started.wait, 10)
        batch = [
            asyncio.ensure_future(writes.submit(work, str, key="x"))
            for work in (insert("kept-1"), failing, insert("kept-2"))
        ]
        await asyncio.sleep(0.1)
        release.set()
        await first
        return await asyncio.gather(*batch, return_exceptions=True)

    kept_1, failed, kept_2 = asyncio.run(surge())
    assert (kept_1, kept_2) == ("kept-1", "kept-2")
    assert isinstance(failed, LookupError) and str(failed) == "no such petition"
    assert stored(probe) == ["kept-1", "kept-2"]  # nothing of the failed write
    assert writes.transactions == 3  # the batch was rolled back, and the two kept ran alone


def test_a_write_refused_before_it_wrote_fails_alone_and_the_batch_commits_once(
    probe: Engine,
) -> None:
    """A flood of requests for an unknown petition must not make every signature beside them
    run twice: one that raises having written nothing leaves its batch as it was."""
    writes = GroupCommit(probe, threads=1, batch=16)
    started, release = threading.Event(), threading.Event()

    def blocking(session: Session) -> str:
        started.set()
        release.wait(10)
        return "first"

    def unknown(session: Session) -> str:
        session.execute(text("SELECT count(*) FROM group_commit_probe"))  # reads, writes nothing
        raise LookupError("no such petition")

    async def surge() -> list[object]:
        first = asyncio.ensure_future(writes.submit(blocking, str, key="x"))
        await asyncio.to_thread(started.wait, 10)
        batch = [
            asyncio.ensure_future(writes.submit(work, str, key="x"))
            for work in (insert("kept-1"), unknown, insert("kept-2"), unknown)
        ]
        await asyncio.sleep(0.1)
        release.set()
        await first
        return await asyncio.gather(*batch, return_exceptions=True)

    kept_1, refused, kept_2, refused_too = asyncio.run(surge())
    assert (kept_1, kept_2) == ("kept-1", "kept-2")
    assert isinstance(refused, LookupError) and isinstance(refused_too, LookupError)
    assert stored(probe) == ["kept-1", "kept-2"]
    assert writes.transactions == 2  # the blocking one, then the batch once: nothing ran again


def test_each_write_runs_in_its_own_requests_language(probe: Engine) -> None:
    writes = GroupCommit(probe, threads=2, batch=16)

    async def one(locale: str) -> str:
        set_locale(locale)  # a request's context, as the language middleware sets it
        answer: str = await writes.submit(lambda session: get_locale(), lambda seen: seen)
        return answer

    async def surge() -> list[str]:
        return list(await asyncio.gather(*(one(locale) for locale in ["be", "ru", "uk", "pl"])))

    assert asyncio.run(surge()) == ["be", "ru", "uk", "pl"]


def test_confirmations_committed_together_count_each_signature_once(
    engine: Engine, settings: Settings
) -> None:
    """The counts of a batch's confirmations are written at its commit, one UPDATE per petition
    and per country; the page each signer sees shows the total with their own signature."""
    petition = make_petition(engine)
    signers = [(f"signer-{n}@example.org", "BY" if n % 3 else "PL") for n in range(7)]
    for email, country in signers:
        add_signature(engine, settings, petition, email=email, country=country, confirm=False)
    with Session(engine) as session:
        tokens = [
            signing.confirmation_token(settings, signature)
            for signature in session.exec(select(Signature).order_by(col(Signature.id))).all()
        ]
    writes = GroupCommit(engine, threads=1, batch=16)
    started, release = threading.Event(), threading.Event()

    def confirm(token: str) -> Callable[[Session], tuple[str, int]]:
        def work(session: Session) -> tuple[str, int]:
            if token == tokens[0]:
                started.set()
                release.wait(10)
            found = session.get(Petition, petition.id)
            assert found is not None
            outcome = signing.confirm_signature(
                session, settings=settings, petition=found, token=token
            )
            return outcome.value, counting.current_total(session, petition.id)  # type: ignore[arg-type]

        return work

    async def surge() -> list[tuple[str, int]]:
        first = asyncio.ensure_future(writes.submit(confirm(tokens[0]), tuple))
        await asyncio.to_thread(started.wait, 10)
        rest = [asyncio.ensure_future(writes.submit(confirm(t), tuple)) for t in tokens[1:]]
        rest.append(asyncio.ensure_future(writes.submit(confirm(tokens[1]), tuple)))  # twice
        await asyncio.sleep(0.1)
        release.set()
        return [await first, *await asyncio.gather(*rest)]

    answers = asyncio.run(surge())
    assert writes.transactions == 2
    assert [outcome for outcome, _total in answers] == ["confirmed"] * 7 + ["already"]
    assert [total for _outcome, total in answers[1:7]] == [2, 3, 4, 5, 6, 7]  # each sees its own
    with Session(engine) as session:
        stored = session.get(Petition, petition.id)
        assert stored is not None and stored.signature_count == 7
        tallies = dict(counting.tallies(session, stored))
    assert tallies == {"BY": 4, "PL": 3}
