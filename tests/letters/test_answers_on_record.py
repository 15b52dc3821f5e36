"""Officials' answers on record: per official and campaign, the letters that went to them, the
answers supporters reported and organisers recorded, and the median days to an answer, on the
campaign page and on a public page per official; drafts stay hidden, supporters unnamed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    Letter,
    LetterCampaign,
    LetterCount,
    LetterEvent,
    LetterSender,
    LetterStatus,
    Official,
    OfficialEmail,
    OfficialReply,
)
from campaign.letters.service import replies, responsiveness
from tests.conftest import csrf_from
from tests.factories import make_letter_campaign

MARCH = date(2026, 3, 1)


def officials_of(engine: Engine, campaign: LetterCampaign) -> tuple[Official, Official]:
    """The factory's two targets: the Prosecutor General and the ambassador."""
    with Session(engine) as session:
        rows = session.exec(
            select(Official)
            .join(CampaignTarget, CampaignTarget.official_id == Official.id)  # type: ignore[arg-type]
            .where(CampaignTarget.campaign_id == campaign.id)
        ).all()
        by_language = {o.language: o for o in rows}
        return by_language["ru"], by_language["en"]


def counted(
    engine: Engine,
    campaign: LetterCampaign,
    official: Official,
    n: int,
    *,
    on: date = MARCH,
    kind: LetterEvent = LetterEvent.sent,
) -> None:
    """The campaign's counters say n letters of this kind went to the official that day."""
    with transaction(engine) as session:
        session.add(
            LetterCount(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                official_id=official.id,  # type: ignore[arg-type]
                day=on,
                event=kind.value,
                count=n,
            )
        )


def supporter(
    engine: Engine,
    campaign: LetterCampaign,
    officials: list[Official],
    *,
    answered: str = "",
    name: str = "Ales Supporter",
    email: str = "ales@example.org",
    note: str = "",
    status: LetterStatus = LetterStatus.sent,
) -> LetterSender:
    """A supporter whose letters went to the officials, and what they said about an answer."""
    with transaction(engine) as session:
        sender = LetterSender(
            campaign_id=campaign.id,  # type: ignore[arg-type]
            name=name,
            email=email,
            email_hash=email,
            token_nonce=email[:32],
            status="confirmed",
            reply_reported=answered,
            reply_note=note,
        )
        session.add(sender)
        session.flush()
        for official in officials:
            session.add(
                Letter(
                    campaign_id=campaign.id,  # type: ignore[arg-type]
                    sender_id=sender.id,  # type: ignore[arg-type]
                    official_id=official.id,  # type: ignore[arg-type]
                    language="en",
                    subject="Release her",
                    body=f"Dear official, {name}",
                    status=status,
                    to_addr="office@example.org",
                    sent_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
                )
            )
        session.flush()
        session.expunge(sender)
        return sender


def answer(
    engine: Engine,
    campaign: LetterCampaign,
    official: Official,
    on: date,
    summary: str = "The case is under review.",
) -> None:
    with transaction(engine) as session:
        session.add(
            OfficialReply(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                official_id=official.id,  # type: ignore[arg-type]
                received_on=on,
                summary=summary,
            )
        )


def table_of(engine: Engine, campaign: LetterCampaign) -> responsiveness.Table:
    with Session(engine) as session:
        return responsiveness.campaign_table(session, campaign, threshold=10)


def test_the_record_counts_letters_and_answers_and_the_median_days_to_an_answer(
    engine: Engine,
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, envoy = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 8, on=MARCH)
    counted(engine, campaign, prosecutor, 4, on=date(2026, 3, 3))
    counted(engine, campaign, prosecutor, 2, on=date(2026, 2, 28), kind=LetterEvent.printed)
    counted(engine, campaign, prosecutor, 0, on=date(2026, 2, 1))  # a counter moved back to 0
    counted(engine, campaign, envoy, 11, on=MARCH)
    counted(engine, campaign, envoy, 1, on=MARCH, kind=LetterEvent.mailto)
    counted(engine, campaign, envoy, 3, on=MARCH, kind=LetterEvent.bounced)  # never reached
    # The first letter to the prosecutor went on 28 February: answers 10 and 20 days later;
    # one dated before any letter answers something else, and is counted but not timed.
    answer(engine, campaign, prosecutor, date(2026, 3, 10))
    answer(engine, campaign, prosecutor, date(2026, 3, 20))
    answer(engine, campaign, prosecutor, date(2026, 2, 20))
    answer(engine, campaign, envoy, date(2026, 3, 8))  # 7 days after 1 March
    supporter(engine, campaign, [prosecutor, envoy], answered="yes", email="a@example.org")
    supporter(engine, campaign, [prosecutor], answered="yes", email="b@example.org")
    supporter(engine, campaign, [prosecutor], answered="no", email="c@example.org")
    supporter(engine, campaign, [prosecutor], email="d@example.org")  # not asked, or silent
    bounced = [envoy]  # a "yes" about a letter that never reached the envoy is not the envoy's
    supporter(
        engine,
        campaign,
        bounced,
        answered="yes",
        email="e@example.org",
        status=LetterStatus.bounced,
    )

    table = table_of(engine, campaign)
    lines = {line.official.id: line.record for line in table.lines}
    assert [line.official.id for line in table.lines] == [envoy.id, prosecutor.id]  # by name
    assert lines[prosecutor.id] == responsiveness.Record(
        sent=12, themselves=2, reported=2, recorded=3, median_days=15.0, enough=True
    )
    assert lines[envoy.id] == responsiveness.Record(
        sent=11, themselves=1, reported=1, recorded=1, median_days=7.0, enough=True
    )
    # The totals count each supporter once, and time every answer: 7, 10 and 20 days.
    assert table.total == responsiveness.Record(
        sent=23, themselves=3, reported=2, recorded=4, median_days=10.0, enough=True
    )


def test_the_median_of_an_even_number_of_answers_lies_between_the_middle_two(
    engine: Engine,
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, _ = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 10, on=MARCH)
    for day in (3, 6, 9, 30):  # 2, 5, 8 and 29 days after the first letter
        answer(engine, campaign, prosecutor, date(2026, 3, day))
    record = next(line.record for line in table_of(engine, campaign).lines if line.record.sent)
    assert record.median_days == 6.5
    assert record.recorded == 4


def test_under_ten_letters_the_table_says_too_few_letters_yet_and_from_ten_it_shows_answers(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, envoy = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 7)
    counted(engine, campaign, prosecutor, 2, kind=LetterEvent.mailto)
    answer(engine, campaign, prosecutor, date(2026, 3, 4), "We have forwarded your letters.")
    supporter(engine, campaign, [prosecutor], answered="yes")

    page = client.get(f"/officials/{prosecutor.id}")
    assert page.status_code == 200
    row = cells(page.text, campaign.title)
    assert row == ["7", "2", "Too few letters yet"]
    assert "We have forwarded your letters." in page.text  # the answer itself is on record

    counted(engine, campaign, prosecutor, 1, kind=LetterEvent.printed, on=date(2026, 3, 2))
    page = client.get(f"/officials/{prosecutor.id}")
    assert cells(page.text, campaign.title) == ["7", "3", "1", "1", "3"]
    assert "Too few letters yet" not in page.text

    campaign_page = client.get(f"/letters/{campaign.slug}").text
    assert cells(campaign_page, f'href="/officials/{prosecutor.id}?lang=en"') == [
        "7",
        "3",
        "1",
        "1",
        "3",
    ]
    assert cells(campaign_page, f'href="/officials/{envoy.id}?lang=en"') == [
        "0",
        "0",
        "Too few letters yet",
    ]


def cells(html: str, marker: str) -> list[str]:
    """The data cells of the table row whose heading holds the marker, as text."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if marker in r)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_campaign_page_shows_each_officials_record_and_links_to_their_page(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, envoy = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 10)
    page = client.get(f"/letters/{campaign.slug}").text
    assert "Do the officials answer?" in page
    assert '<table class="answers-table">' in page
    assert (
        f'<a href="/officials/{prosecutor.id}?lang=en">Андрей Швед, Генеральный прокурор</a>'
        in page
    )
    assert f'<a href="/officials/{envoy.id}?lang=en">Jane Envoy, Ambassador</a>' in page
    assert "All officials" in page  # the totals row

    official = client.get(f"/officials/{envoy.id}").text
    assert f'href="/letters/{campaign.slug}"' in official
    assert campaign.title in official


def test_an_official_only_a_draft_campaign_writes_to_is_not_found_and_not_listed(
    client: TestClient, engine: Engine
) -> None:
    draft = make_letter_campaign(engine, status=CampaignStatus.draft, title="Secret draft")
    prosecutor, _ = officials_of(engine, draft)
    counted(engine, draft, prosecutor, 20)
    answer(engine, draft, prosecutor, date(2026, 3, 9), "Draft answer")

    assert client.get(f"/officials/{prosecutor.id}").status_code == 404
    assert client.get("/officials/999999").status_code == 404
    listing = client.get("/officials").text
    assert f"/officials/{prosecutor.id}" not in listing
    assert "No campaign has written to an official yet." in listing

    # Once a published campaign writes to them too, their page shows that one alone.
    public = make_letter_campaign(engine, title="Public campaign")
    with transaction(engine) as session:
        session.add(CampaignTarget(campaign_id=public.id, official_id=prosecutor.id))  # type: ignore[arg-type]
    page = client.get(f"/officials/{prosecutor.id}").text
    assert "Public campaign" in page
    assert "Secret draft" not in page and "Draft answer" not in page
    assert cells(page, "Public campaign")[:2] == ["0", "0"]
    assert f"/officials/{prosecutor.id}" in client.get("/officials").text
    assert 'href="/officials?lang=en"' in client.get("/letters").text  # where readers find the list


def test_a_closed_campaign_stays_on_record(client: TestClient, engine: Engine) -> None:
    campaign = make_letter_campaign(engine, status=CampaignStatus.closed)
    prosecutor, _ = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 12)
    page = client.get(f"/officials/{prosecutor.id}").text
    assert "(closed)" in page
    assert cells(page, campaign.title)[0] == "12"


def test_a_supporter_saying_they_got_an_answer_is_counted_and_their_latest_word_counts(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, envoy = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 10)
    counted(engine, campaign, envoy, 10)
    sender = supporter(engine, campaign, [prosecutor, envoy])
    token = replies.reply_token(settings, sender)
    path = f"/letters/{campaign.slug}/reply"

    def say(answered: str) -> list[str]:
        csrf = csrf_from(client, f"{path}?token={token}")
        posted = client.post(path, data={"token": token, "answered": answered, "csrf_token": csrf})
        assert posted.status_code == 200, posted.text
        return cells(client.get(f"/officials/{prosecutor.id}").text, campaign.title)

    assert say("yes")[2] == "1"
    assert cells(client.get(f"/letters/{campaign.slug}").text, "All officials")[2] == "1"
    assert say("no")[2] == "0"


def test_the_pages_name_no_supporter_and_give_no_officials_address(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, envoy = officials_of(engine, campaign)
    counted(engine, campaign, prosecutor, 10)
    supporter(
        engine,
        campaign,
        [prosecutor, envoy],
        answered="yes",
        name="Zmicier Hidden",
        email="zmicier.hidden@example.org",
        note="They phoned me at home",
    )
    with Session(engine) as session:
        addresses = session.exec(select(OfficialEmail.address)).all()
    pages = [
        client.get(f"/officials/{prosecutor.id}").text,
        client.get(f"/officials/{envoy.id}").text,
        client.get("/officials").text,
        client.get(f"/letters/{campaign.slug}").text,
    ]
    for page in pages:
        for secret in ["Zmicier", "zmicier.hidden", "phoned me", *addresses]:
            assert secret not in page


def test_an_officials_page_speaks_the_readers_language_and_shows_their_answers(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, _ = officials_of(engine, campaign)
    with transaction(engine) as session:
        session.add(
            OfficialReply(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                official_id=prosecutor.id,  # type: ignore[arg-type]
                received_on=date(2026, 4, 2),
                summary="Your appeal was received.",
                file_name="0" * 32 + ".pdf",
            )
        )
    page = client.get(f"/officials/{prosecutor.id}?lang=ru").text
    assert "<h1>Андрей Швед</h1>" in page
    lead = re.search(r'<p class="lead">(.*?)</p>', page)
    assert lead is not None
    assert re.sub(r"<[^>]+>", "", lead.group(1)) == "Генеральный прокурор, Генеральная прокуратура"
    assert "Уважаемый господин Генеральный прокурор" in page
    assert "Your appeal was received." in page
    reply_id = re.search(rf"/letters/{campaign.slug}/replies/(\d+)/file", page)
    assert reply_id is not None
    # An English reader: no English form is recorded, so the register's Russian name shows,
    # marked as Russian for screen readers.
    english = client.get(f"/officials/{prosecutor.id}?lang=en").text
    assert '<h1 lang="ru">Андрей Швед</h1>' in english
    assert "Уважаемый" not in english  # a greeting of another language is not theirs here


def test_an_officials_page_is_kept_only_by_the_readers_browser_and_revalidated(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, _ = officials_of(engine, campaign)
    page = client.get(f"/officials/{prosecutor.id}")
    assert page.headers["cache-control"] == "private, no-cache"
    again = client.get(
        f"/officials/{prosecutor.id}", headers={"if-none-match": page.headers["etag"]}
    )
    assert again.status_code == 304
    counted(engine, campaign, prosecutor, 3)  # the record changed: the page is sent again
    changed = client.get(
        f"/officials/{prosecutor.id}", headers={"if-none-match": page.headers["etag"]}
    )
    assert changed.status_code == 200


def test_the_record_takes_the_same_few_queries_however_many_officials(engine: Engine) -> None:
    def statements(campaign: LetterCampaign) -> int:
        seen: list[str] = []
        listen = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        try:
            with Session(engine) as session:
                responsiveness.campaign_table(session, campaign, threshold=10)
                responsiveness.officials_on_record(session, threshold=10)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(seen)

    small = make_letter_campaign(engine)
    big = make_letter_campaign(engine)
    with transaction(engine) as session:
        for n in range(8):
            official = Official(name=f"Official {n}")
            session.add(official)
            session.flush()
            session.add(CampaignTarget(campaign_id=big.id, official_id=official.id))  # type: ignore[arg-type]
            session.add(
                LetterCount(
                    campaign_id=big.id,  # type: ignore[arg-type]
                    official_id=official.id,  # type: ignore[arg-type]
                    day=MARCH,
                    event="sent",
                    count=n + 1,
                )
            )
    assert statements(big) == statements(small)


def test_an_official_no_longer_targeted_keeps_the_record_of_the_letters_they_got(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    prosecutor, envoy = officials_of(engine, campaign)
    counted(engine, campaign, envoy, 10)
    answer(engine, campaign, envoy, date(2026, 3, 5))
    with transaction(engine) as session:
        target = session.get(CampaignTarget, (campaign.id, envoy.id))
        session.delete(target)
    lines = {line.official.id: line.record for line in table_of(engine, campaign).lines}
    assert set(lines) == {prosecutor.id, envoy.id}
    assert (lines[envoy.id].sent, lines[envoy.id].recorded, lines[envoy.id].median_days) == (
        10,
        1,
        4.0,
    )
    assert client.get(f"/officials/{envoy.id}").status_code == 200
