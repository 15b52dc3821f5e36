"""A petition's own fields: organisers define them, signers answer them on the sign form, the
answers are counted, exported and erased as their kind says."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text, update
from sqlmodel import Session, col, select

from campaign.accounts.models import OrgRole
from campaign.core.audit import AuditEvent
from campaign.core.crypto import new_key, use_keys
from campaign.core.db import transaction, utcnow
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.petitions import retention
from campaign.petitions.field_forms import MAX_FIELDS, FieldForm, parse_field_form
from campaign.petitions.models import (
    Petition,
    PetitionField,
    Signature,
    SignatureAnswer,
)
from campaign.petitions.service import fields
from campaign.site.key_rotation import rotate_keys
from tests.conftest import TEST_DATA_KEY, add_user, csrf_from, log_in
from tests.factories import make_member, make_petition
from tests.petitions.conftest import sign_form

PROFESSIONS = ("doctor", "lawyer", "teacher")


@pytest.fixture
def petition(engine: Engine) -> Petition:
    return make_petition(engine, title="Free Maria Kalesnikava", slug="free-maria")


def add(engine: Engine, petition: Petition, **overrides: object) -> PetitionField:
    values: dict[str, object] = {
        "kind": "choice",
        "label": "I am a",
        "help": "",
        "options": PROFESSIONS,
        "required": True,
        "personal": False,
        **overrides,
    }
    with transaction(engine) as session:
        row = session.get(Petition, petition.id)
        assert row is not None
        field = fields.add_field(session, petition=row, form=FieldForm(**values))  # type: ignore[arg-type]
        session.expunge(field)
        return field


def current(engine: Engine, petition: Petition) -> Petition:
    with Session(engine) as session:
        row = session.get(Petition, petition.id)
        assert row is not None
        return row


def listed(engine: Engine, petition: Petition) -> list[PetitionField]:
    with Session(engine) as session:
        return fields.fields_of(session, petition.id)  # type: ignore[arg-type]


def answers(engine: Engine) -> list[SignatureAnswer]:
    with Session(engine) as session:
        return list(session.exec(select(SignatureAnswer)).all())


def export(client: TestClient, petition: Petition) -> list[dict[str, str]]:
    response = client.get(f"/admin/petitions/{petition.id}/export/signatures.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def confirm_all(engine: Engine, settings: Settings, petition: Petition) -> None:
    from campaign.petitions.service import signing

    with transaction(engine) as session:
        rows = session.exec(select(Signature).where(Signature.status == "pending")).all()
        for row in rows:
            signing.confirm_signature(
                session,
                settings=settings,
                petition=current(engine, petition),
                token=signing.confirmation_token(settings, row),
            )


def test_an_organiser_adds_a_choice_and_signers_see_it_on_the_form(
    organiser_client: TestClient, engine: Engine, petition: Petition
) -> None:
    page = f"/admin/petitions/{petition.id}/fields"
    response = organiser_client.post(
        page,
        data={
            "csrf_token": csrf_from(organiser_client, page),
            "kind": "choice",
            "label": "I am a",
            "help": "Tell us your profession.",
            "options": "doctor\nlawyer\n\nteacher\nlawyer",
            "required": "1",
        },
    )
    assert response.status_code == 303
    [field] = listed(engine, petition)
    assert field.choices == list(PROFESSIONS) and field.required and not field.personal
    with Session(engine) as session:
        [event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.field_added")
        ).all()
    assert event.details["label"] == "I am a"
    form = organiser_client.get("/petitions/free-maria").text
    assert "Tell us your profession." in form
    for profession in PROFESSIONS:
        assert f'value="{profession}"' in form
    assert "I am a" in organiser_client.get(f"/admin/petitions/{petition.id}").text


def test_a_choice_needs_two_answers_and_the_form_has_a_limit(
    organiser_client: TestClient, engine: Engine, petition: Petition
) -> None:
    page = f"/admin/petitions/{petition.id}/fields"
    token = csrf_from(organiser_client, page)
    response = organiser_client.post(
        page, data={"csrf_token": token, "kind": "choice", "label": "I am a", "options": "x"}
    )
    assert response.status_code == 400 and 'id="error-options"' in response.text
    for n in range(MAX_FIELDS):
        add(engine, petition, kind="checkbox", label=f"Box {n}", options=())
    response = organiser_client.post(
        page, data={"csrf_token": token, "kind": "checkbox", "label": "One more"}
    )
    assert response.status_code == 400
    assert len(listed(engine, petition)) == MAX_FIELDS


def test_a_missing_required_answer_is_shown_beside_its_field_and_nothing_is_stored(
    client: TestClient, quick, engine: Engine, petition: Petition
) -> None:
    field = add(engine, petition)
    response = sign_form(client, "free-maria", name="Ana Typed")
    assert response.status_code == 400
    assert f'id="error-field_{field.id}"' in response.text
    assert 'value="Ana Typed"' in response.text  # the rest of the form kept as typed
    with Session(engine) as session:
        assert session.exec(select(Signature)).all() == []
    assert answers(engine) == []


def test_an_answer_outside_the_choices_is_refused(
    client: TestClient, quick, engine: Engine, petition: Petition
) -> None:
    field = add(engine, petition)
    response = sign_form(client, "free-maria", **{f"field_{field.id}": "astronaut"})
    assert response.status_code == 400
    assert f'id="error-field_{field.id}"' in response.text
    assert answers(engine) == []
    response = sign_form(client, "free-maria", **{f"field_{field.id}": "lawyer"})
    assert response.status_code == 303
    [answer] = answers(engine)
    assert (answer.field_id, answer.value, answer.secret) == (field.id, "lawyer", "")


def test_a_personal_answer_is_stored_encrypted(
    client: TestClient, quick, engine: Engine, petition: Petition
) -> None:
    field = add(engine, petition, kind="text", label="Your phone", options=(), personal=True)
    response = sign_form(client, "free-maria", **{f"field_{field.id}": "+375 29 123 45 67"})
    assert response.status_code == 303
    with engine.connect() as connection:
        value, secret = connection.execute(text("SELECT value, secret FROM signature_answer")).one()
    assert value == "" and secret.startswith("v1$") and "375" not in secret
    [answer] = answers(engine)
    assert answer.secret == "+375 29 123 45 67"


def test_a_repeat_signature_looks_the_same_and_keeps_the_first_answers(
    client: TestClient, quick, engine: Engine, petition: Petition
) -> None:
    field = add(engine, petition)
    first = sign_form(client, "free-maria", **{f"field_{field.id}": "doctor"})
    again = sign_form(client, "free-maria", **{f"field_{field.id}": "teacher"})
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert [a.value for a in answers(engine)] == ["doctor"]


def test_the_export_has_a_column_per_field_and_the_dashboard_counts_confirmed_answers(
    organiser_client: TestClient, engine: Engine, settings: Settings, petition: Petition
) -> None:
    choice = add(engine, petition)
    box = add(engine, petition, kind="checkbox", label="I am a member", options=(), required=False)
    phone = add(engine, petition, kind="text", label="=Phone", options=(), personal=True)
    signers = [("a", "doctor", True), ("b", "doctor", False), ("c", "lawyer", True)]
    for name, profession, confirm in signers:
        sign_with_answers(
            engine,
            settings,
            petition,
            email=f"{name}@example.org",
            answers=(
                (choice.id, profession, False),
                (box.id, "yes", False),
                (phone.id, "+1", True),
            ),  # type: ignore[arg-type]
            confirm=confirm,
        )
    rows = export(organiser_client, petition)
    assert [(r["email"], r["I am a"], r["I am a member"], r["'=Phone"]) for r in rows] == [
        ("a@example.org", "doctor", "yes", "'+1"),
        ("b@example.org", "doctor", "yes", "'+1"),
        ("c@example.org", "lawyer", "yes", "'+1"),
    ]
    with Session(engine) as session:
        counts = fields.answer_counts(session, current(engine, petition))
    assert [(f.label, c) for f, c in counts] == [
        ("I am a", [("doctor", 1), ("lawyer", 1), ("teacher", 0)]),
        ("I am a member", [("yes", 2), ("no", 0)]),
    ]
    dashboard = organiser_client.get(f"/admin/petitions/{petition.id}").text
    assert "<caption>I am a" in dashboard and "Your phone" not in dashboard


def sign_with_answers(
    engine: Engine,
    settings: Settings,
    petition: Petition,
    *,
    email: str,
    answers: tuple[tuple[int, str, bool], ...],
    confirm: bool = True,
) -> None:
    """Sign through the service with answers, as the form would pass them."""
    from campaign.core.ratelimit import Limiter
    from campaign.petitions.forms import SignForm
    from campaign.petitions.service import signing

    form = SignForm("Ana B", email, "BY", "Minsk", False, False, answers=answers)
    with transaction(engine) as session:
        signing.sign_petition(
            session,
            settings=settings,
            limiter=Limiter(session),
            petition=current(engine, petition),
            form=form,
            ip_hash=email,
            locale="en",
        )
    if confirm:
        with transaction(engine) as session:
            row = session.exec(
                select(Signature).where(Signature.email_hash == email_index(settings, email))
            ).one()
            signing.confirm_signature(
                session,
                settings=settings,
                petition=session.get(Petition, petition.id),  # type: ignore[arg-type]
                token=signing.confirmation_token(settings, row),
            )


def test_a_signer_who_asks_to_be_erased_takes_every_answer_along(
    engine: Engine, settings: Settings, petition: Petition
) -> None:
    choice = add(engine, petition)
    phone = add(engine, petition, kind="text", label="Phone", options=(), personal=True)
    sign_with_answers(
        engine,
        settings,
        petition,
        email="ana@example.org",
        answers=((choice.id, "doctor", False), (phone.id, "+1", True)),  # type: ignore[arg-type]
    )
    index = email_index(settings, "ana@example.org")
    with transaction(engine) as session:
        [held] = retention.holdings(session, index)
        assert held["answers"] == {"I am a": "doctor", "Phone": "+1"}
        assert "Phone: +1" in retention.holdings_lines([held])[0]
        retention.erase_address(session, index)
    # Even "doctor" would be a trace: beside a country and a time to the second it is a person.
    assert answers(engine) == []


def test_anonymising_a_closed_petition_erases_its_personal_answers(
    engine: Engine, settings: Settings, petition: Petition
) -> None:
    phone = add(engine, petition, kind="text", label="Phone", options=(), personal=True)
    sign_with_answers(
        engine,
        settings,
        petition,
        email="ana@example.org",
        answers=((phone.id, "+1", True),),  # type: ignore[arg-type]
    )
    with transaction(engine) as session:
        retention.erase_signatures(session, col(Signature.petition_id) == petition.id)
    assert answers(engine) == []


def test_an_answered_field_is_retired_off_the_form_and_kept_in_the_export(
    organiser_client: TestClient, engine: Engine, settings: Settings, petition: Petition
) -> None:
    answered = add(engine, petition, label="Profession")
    unanswered = add(engine, petition, kind="checkbox", label="Member", options=(), required=False)
    sign_with_answers(
        engine,
        settings,
        petition,
        email="ana@example.org",
        answers=((answered.id, "lawyer", False),),  # type: ignore[arg-type]
    )
    page = f"/admin/petitions/{petition.id}/fields"
    token = csrf_from(organiser_client, page)
    for field in (answered, unanswered):
        response = organiser_client.post(f"{page}/{field.id}/remove", data={"csrf_token": token})
        assert response.status_code == 303
    [kept] = listed(engine, petition)
    assert kept.id == answered.id and kept.retired_at is not None
    assert "Profession" not in organiser_client.get("/petitions/free-maria").text
    [row] = export(organiser_client, petition)
    assert row["Profession"] == "lawyer" and "Member" not in row
    with Session(engine) as session:
        done = session.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).startswith("petition.field_"))
        ).all()
    assert sorted(done) == ["petition.field_removed", "petition.field_retired"]


def test_an_answered_field_keeps_its_kind(
    organiser_client: TestClient, engine: Engine, settings: Settings, petition: Petition
) -> None:
    field = add(engine, petition)
    sign_with_answers(
        engine,
        settings,
        petition,
        email="a@example.org",
        answers=((field.id, "doctor", False),),  # type: ignore[arg-type]
    )
    page = f"/admin/petitions/{petition.id}/fields/{field.id}"
    response = organiser_client.post(
        page,
        data={"csrf_token": csrf_from(organiser_client, page), "kind": "text", "label": "Job"},
    )
    assert response.status_code == 400 and 'id="error-kind"' in response.text
    assert listed(engine, petition)[0].kind == "choice"


def test_a_field_reads_in_the_signers_language(
    organiser_client: TestClient, engine: Engine, petition: Petition
) -> None:
    field = add(engine, petition)
    assert "юрыст" not in organiser_client.get("/petitions/free-maria?lang=be").text
    editor = f"/admin/content/petition_field/{field.id}/be"
    response = organiser_client.post(
        editor,
        data={
            "csrf_token": csrf_from(organiser_client, editor),
            "label": "Я",
            "options": "урач\nюрыст\nнастаўнік",
        },
    )
    assert response.status_code == 303
    page = organiser_client.get("/petitions/free-maria?lang=be").text
    assert "юрыст" in page and 'value="lawyer"' in page
    assert "юрыст" not in organiser_client.get("/petitions/free-maria?lang=en").text
    back = organiser_client.get(f"/admin/petition-fields/{field.id}")
    assert back.headers["location"] == f"/admin/petitions/{petition.id}/fields/{field.id}"


def test_only_campaigners_of_the_organisation_change_fields(
    client: TestClient, engine: Engine, petition: Petition
) -> None:
    page = f"/admin/petitions/{petition.id}/fields"
    assert client.get(page).headers["location"].startswith("/login")
    viewer = add_user(engine, "viewer@example.org")
    make_member(engine, viewer.id, role=OrgRole.viewer)
    assert log_in(client, viewer.email).status_code == 303
    assert client.get(page).status_code == 403
    field = add(engine, petition)
    assert client.get(f"/admin/petition-fields/{field.id}").status_code == 403


def test_rotating_keys_moves_personal_answers_to_the_new_key(
    engine: Engine, settings: Settings, petition: Petition
) -> None:
    phone = add(engine, petition, kind="text", label="Phone", options=(), personal=True)
    sign_with_answers(
        engine,
        settings,
        petition,
        email="ana@example.org",
        answers=((phone.id, "+1", True),),  # type: ignore[arg-type]
    )
    fresh = new_key()
    ring = use_keys([fresh, TEST_DATA_KEY])
    try:
        assert rotate_keys(engine, settings, ring).reencrypted["signature_answer"] == 1
        use_keys([fresh])  # the old key is gone; the answer still reads
        [answer] = answers(engine)
        assert answer.secret == "+1"
    finally:
        use_keys([TEST_DATA_KEY])


def test_public_counts_hide_answers_given_by_few_so_no_one_is_recognised(
    client: TestClient, engine: Engine, settings: Settings, petition: Petition
) -> None:
    shown = add(engine, petition, public=True)
    kept_inside = add(engine, petition, kind="checkbox", label="I am a member", options=())
    given = ["doctor"] * 11 + ["lawyer"] * 11 + ["teacher"] * 2
    for n, profession in enumerate(given):
        sign_with_answers(
            engine,
            settings,
            petition,
            email=f"s{n}@example.org",
            answers=((shown.id, profession, False), (kept_inside.id, "yes", False)),  # type: ignore[arg-type]
        )
    yesterday = utcnow() - timedelta(days=1)
    with transaction(engine) as session:
        session.execute(update(Signature).values(confirmed_at=yesterday))
    with Session(engine) as session:
        [(field, counts)] = fields.public_answer_counts(session, current(engine, petition))
    # The teacher's 2 are hidden, and the doctors' 11 too: with the total, they would tell it.
    assert field.id == shown.id and counts == [("doctor", None), ("lawyer", 11), ("teacher", None)]
    page = client.get("/petitions/free-maria/breakdown").text
    assert "<caption>I am a</caption>" in page and "too few to show" in page
    assert "I am a member" not in page


def test_public_counts_do_not_move_with_todays_signatures(
    engine: Engine, settings: Settings, petition: Petition
) -> None:
    shown = add(engine, petition, public=True)
    for n in range(12):
        sign_with_answers(
            engine,
            settings,
            petition,
            email=f"s{n}@example.org",
            answers=((shown.id, "doctor", False),),  # type: ignore[arg-type]
        )
    with transaction(engine) as session:
        session.execute(update(Signature).values(confirmed_at=utcnow() - timedelta(days=1)))
    sign_with_answers(
        engine,
        settings,
        petition,
        email="today@example.org",
        answers=((shown.id, "doctor", False),),  # type: ignore[arg-type]
    )
    with Session(engine) as session:
        row = current(engine, petition)
        [(_f, public)] = fields.public_answer_counts(session, row)
        [(_f, inside)] = fields.answer_counts(session, row)
    assert public[0] == ("doctor", 12)  # the newest signer's answer waits for tomorrow
    assert inside[0] == ("doctor", 13)  # the organisation's dashboard counts it at once


def test_a_short_text_is_always_kept_as_personal() -> None:
    form, errors = parse_field_form({"kind": "text", "label": "Your story"})
    assert not errors and form is not None and form.personal


def test_renaming_an_answered_field_keeps_both_labels_in_the_trail(
    organiser_client: TestClient, engine: Engine, settings: Settings, petition: Petition
) -> None:
    field = add(engine, petition, kind="checkbox", label="I was detained", options=())
    sign_with_answers(
        engine,
        settings,
        petition,
        email="ana@example.org",
        answers=((field.id, "yes", False),),  # type: ignore[arg-type]
    )
    base = f"/admin/petitions/{petition.id}/fields"
    token = csrf_from(organiser_client, base)
    renamed = organiser_client.post(
        f"{base}/{field.id}",
        data={"csrf_token": token, "kind": "checkbox", "label": "I support the government"},
    )
    assert renamed.status_code == 303
    trail = organiser_client.get(f"/admin/petitions/{petition.id}").text
    assert "renamed the field “I was detained” to “I support the government”" in trail


def test_a_personal_field_cannot_have_public_counts(
    organiser_client: TestClient, petition: Petition
) -> None:
    page = f"/admin/petitions/{petition.id}/fields"
    response = organiser_client.post(
        page,
        data={
            "csrf_token": csrf_from(organiser_client, page),
            "kind": "checkbox",
            "label": "I was detained",
            "personal": "1",
            "public": "1",
        },
    )
    assert response.status_code == 400 and 'id="error-public"' in response.text


def test_an_organiser_reorders_and_rewords_fields_and_the_form_follows(
    organiser_client: TestClient, engine: Engine, petition: Petition
) -> None:
    first = add(engine, petition, label="Profession")
    second = add(engine, petition, kind="checkbox", label="Member", options=(), required=False)
    base = f"/admin/petitions/{petition.id}/fields"
    token = csrf_from(organiser_client, base)
    moved = organiser_client.post(
        f"{base}/{second.id}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert moved.status_code == 303
    edited = organiser_client.post(
        f"{base}/{first.id}",
        data={
            "csrf_token": token,
            "kind": "choice",
            "label": "My work",
            "options": "doctor\nnurse",
            "required": "1",
        },
    )
    assert edited.status_code == 303
    assert [(f.label, f.choices) for f in listed(engine, petition)] == [
        ("Member", []),
        ("My work", ["doctor", "nurse"]),
    ]
    form = organiser_client.get("/petitions/free-maria").text
    assert form.index("Member") < form.index("My work") and 'value="nurse"' in form
