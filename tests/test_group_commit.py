"""Group commit (core/writes.py): public writes that wait together are committed together, each
answered only after its transaction committed, in its own request's language; one write that
fails costs the others nothing. On both databases, through real transactions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

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


def in_one_batch(
    writes: GroupCommit,
    works: list[Callable[[Session], Any]],
    then: Callable[[Any], Any] = lambda result: result,
) -> list[Any]:
    """Hold the one writer thread with a write of its own while `works` queue behind it, then
    let it go: they run as one batch. Their answers, or what each raised."""
    started, release = threading.Event(), threading.Event()

    def holding(session: Session) -> None:
        started.set()
        release.wait(10)

    async def surge() -> list[Any]:
        first = asyncio.ensure_future(writes.submit(holding, then))
        await asyncio.to_thread(started.wait, 10)
        batch = [asyncio.ensure_future(writes.submit(work, then)) for work in works]
        await asyncio.sleep(0.1)  # all queued behind the one thread
        release.set()
        await first
        return list(await asyncio.gather(*batch, return_exceptions=True))

    return asyncio.run(surge())


def test_writes_waiting_together_commit_in_one_transaction_and_each_gets_its_answer(
    probe: Engine,
) -> None:
    writes = GroupCommit(probe, threads=1, batch=16)
    seen_after_commit: dict[str, bool] = {}

    def then(name: str | None) -> str | None:
        if name is None:  # the write that held the thread
            return None
        seen_after_commit[name] = name in stored(probe)  # another connection sees it: committed
        return name.upper()

    answers = in_one_batch(writes, [insert(f"b-{n}") for n in range(5)], then)
    assert answers == ["B-0", "B-1", "B-2", "B-3", "B-4"]
    assert stored(probe) == ["b-0", "b-1", "b-2", "b-3", "b-4"]
    assert writes.transactions == 2  # the first alone, the five behind it together
    assert all(seen_after_commit.values()) and len(seen_after_commit) == 5


def test_a_write_that_fails_after_writing_costs_the_others_in_its_batch_nothing(
    probe: Engine,
) -> None:
    writes = GroupCommit(probe, threads=1, batch=16)

    def failing(session: Session) -> str:
        insert("never")(session)
        raise LookupError("no such petition")

    kept_1, failed, kept_2 = in_one_batch(writes, [insert("kept-1"), failing, insert("kept-2")])
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

    def unknown(session: Session) -> str:
        session.execute(text("SELECT count(*) FROM group_commit_probe"))  # reads, writes nothing
        raise LookupError("no such petition")

    works = [insert("kept-1"), unknown, insert("kept-2"), unknown]
    kept_1, refused, kept_2, refused_too = in_one_batch(writes, works)
    assert (kept_1, kept_2) == ("kept-1", "kept-2")
    assert isinstance(refused, LookupError) and isinstance(refused_too, LookupError)
    assert stored(probe) == ["kept-1", "kept-2"]
    assert writes.transactions == 2  # the holding one, then the batch once: nothing ran again


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

    def confirm(token: str) -> Callable[[Session], tuple[str, int]]:
        def work(session: Session) -> tuple[str, int]:
            found = session.get(Petition, petition.id)
            assert found is not None
            outcome = signing.confirm_signature(
                session, settings=settings, petition=found, token=token
            )
            return outcome.value, counting.current_total(session, petition.id)  # type: ignore[arg-type]

        return work

    answers = in_one_batch(writes, [confirm(token) for token in [*tokens, tokens[1]]])  # twice
    assert writes.transactions == 2
    assert [outcome for outcome, _total in answers] == ["confirmed"] * 7 + ["already"]
    assert [total for _outcome, total in answers[:7]] == [1, 2, 3, 4, 5, 6, 7]  # each its own
    with Session(engine) as session:
        stored = session.get(Petition, petition.id)
        assert stored is not None and stored.signature_count == 7
        tallies = dict(counting.tallies(session, stored))
    assert tallies == {"BY": 4, "PL": 3}


def test_a_writer_thread_that_could_not_start_does_not_stop_every_later_write(
    probe: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one writer thread a process, a thread the system refused once (memory, in a surge)
    must not be counted as running: the next write starts one and is stored."""
    writes = GroupCommit(probe, threads=1, batch=16)
    real_start = threading.Thread.start
    refusals = iter([True])

    def start(thread: threading.Thread) -> None:
        if next(refusals, False):
            raise RuntimeError("can't start new thread")
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)

    async def two_writes() -> tuple[BaseException | str, str]:
        first: BaseException | str
        try:
            first = await writes.submit(insert("refused"), lambda name: name)
        except RuntimeError as exc:
            first = exc
        second = await asyncio.wait_for(writes.submit(insert("later"), lambda name: name), 10)
        return first, second

    first, second = asyncio.run(two_writes())
    assert isinstance(first, RuntimeError)  # that request is answered with an error
    assert second == "later"
    assert "later" in stored(probe)


def test_a_write_answered_after_its_event_loop_closed_leaves_the_writer_serving(
    probe: Engine,
) -> None:
    """A request whose app stopped while its write ran is not waited for; the writer thread
    goes on with the next writes instead of dying with it."""
    writes = GroupCommit(probe, threads=1, batch=16)
    started, release = threading.Event(), threading.Event()

    def holding(session: Session) -> str:
        started.set()
        release.wait(10)
        return "orphan"

    async def leave() -> None:
        waiting = asyncio.ensure_future(writes.submit(holding, lambda name: name))
        await asyncio.to_thread(started.wait, 10)
        assert not waiting.done()  # cancelled as its loop closes, before the write is done

    asyncio.run(leave())  # its loop closes while the write still runs
    release.set()
    answer = asyncio.run(asyncio.wait_for(writes.submit(insert("next"), lambda n: n), 10))
    assert answer == "next"
