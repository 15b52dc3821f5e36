"""A petition's own fields on its sign form: defined, ordered, changed and retired by
organisers; shown in the reader's language; their answers stored with a signature, counted on
the dashboard (those not personal) and erased with the signer (those personal)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, func, select

from campaign.content.service import delete_versions, localized_many
from campaign.core.db import utcnow
from campaign.petitions.field_forms import MAX_FIELDS, FieldForm, FormField
from campaign.petitions.models import (
    FieldKind,
    Petition,
    PetitionField,
    Signature,
    SignatureAnswer,
    SignatureStatus,
)

PUBLIC_MIN = 10  # an answer given by fewer counted signers is not shown to the public
KIND = "petition_field"  # the content kind of a field's versions per language
MAX_KEPT = 30  # fields in all, retired ones included: a bound on the export's columns


def fields_of(session: Session, petition_id: int, *, retired: bool = True) -> list[PetitionField]:
    """The petition's fields in their order (`retired`: those taken off the form too)."""
    query = select(PetitionField).where(PetitionField.petition_id == petition_id)
    if not retired:
        query = query.where(col(PetitionField.retired_at).is_(None))
    return list(session.exec(query.order_by(col(PetitionField.position), col(PetitionField.id))))


def field_of(session: Session, petition: Petition, field_id: int) -> PetitionField | None:
    """One of the petition's fields, or None."""
    field = session.get(PetitionField, field_id)
    return field if field is not None and field.petition_id == petition.id else None


# What the sign form shows of a petition's fields in a language, keyed by the petition's
# updated_at as read in the same request: every change to a field or its versions moves it
# (_touch, and the content kind's `on_saved`), so an entry is never stale. Signing and page
# views then read the fields once per change, not once per request.
_FORMS: OrderedDict[tuple[str, int, str, datetime], tuple[FormField, ...]] = OrderedDict()
_FORMS_KEPT = 1024


def form_fields(session: Session, petition: Petition, locale: str) -> tuple[FormField, ...]:
    """The fields on the petition's sign form, as a reader of `locale` sees them."""
    key = (str(session.get_bind().engine.url), petition.id or 0, locale, petition.updated_at)
    if (known := _FORMS.get(key)) is not None:
        _FORMS.move_to_end(key)
        return known
    rows = fields_of(session, petition.id or 0, retired=False)
    seen = _localized(session, rows, locale)
    shown = tuple(_form_field(row, text) for row, text in zip(rows, seen, strict=True))
    _FORMS[key] = shown
    while len(_FORMS) > _FORMS_KEPT:
        _FORMS.popitem(last=False)
    return shown


def _localized(session: Session, rows: Sequence[PetitionField], locale: str) -> list[Any]:
    return localized_many(session, KIND, rows, locale) if rows else []


def _form_field(row: PetitionField, seen: Any) -> FormField:
    translated = [line for line in str(seen.options).split("\n") if line]
    # A version whose choices do not line up with the original's would label answers wrongly.
    labels = translated if len(translated) == len(row.choices) else row.choices
    return FormField(
        id=row.id or 0,
        kind=row.kind,
        label=seen.label,
        help=seen.help,
        required=row.required,
        personal=row.personal,
        choices=tuple(zip(row.choices, labels, strict=True)),
    )


# -- the organiser's changes -------------------------------------------------------------------


def _touch(session: Session, petition: Petition) -> None:
    """Move the petition's version: its page, cached by version, shows the change."""
    petition.updated_at = utcnow()
    session.add(petition)


def may_add(session: Session, petition: Petition) -> bool:
    """Whether the form has room for one more field (and the export for one more column)."""
    rows = fields_of(session, petition.id or 0)
    return len(rows) < MAX_KEPT and sum(1 for f in rows if f.retired_at is None) < MAX_FIELDS


def add_field(session: Session, *, petition: Petition, form: FieldForm) -> PetitionField:
    """A new field, last on the form."""
    last = session.exec(
        select(func.max(PetitionField.position)).where(PetitionField.petition_id == petition.id)
    ).one()
    field = PetitionField(
        petition_id=petition.id or 0, position=(last or 0) + 1, kind=form.kind, label=form.label
    )
    _apply(field, form)
    session.add(field)
    _touch(session, petition)
    session.flush()
    return field


def _apply(field: PetitionField, form: FieldForm) -> None:
    field.kind, field.label, field.help = form.kind, form.label, form.help
    field.options = "\n".join(form.options)
    field.required, field.personal, field.public = form.required, form.personal, form.public
    field.updated_at = utcnow()


def has_answers(session: Session, field: PetitionField) -> bool:
    """Whether any signature answered the field."""
    found = session.exec(
        select(SignatureAnswer.signature_id).where(SignatureAnswer.field_id == field.id).limit(1)
    ).first()
    return found is not None


def locked_change(session: Session, field: PetitionField, form: FieldForm) -> str | None:
    """What of the change answers already given forbid: "kind" or "personal", or None.
    Answers are stored as the field was when given, plain or encrypted."""
    if form.kind == field.kind and form.personal == field.personal:
        return None
    if not has_answers(session, field):
        return None
    return "kind" if form.kind != field.kind else "personal"


def edit_field(
    session: Session, *, petition: Petition, field: PetitionField, form: FieldForm
) -> None:
    """Change a field (locked_change has said the change may be made)."""
    _apply(field, form)
    session.add(field)
    _touch(session, petition)
    session.flush()


def move_field(session: Session, *, petition: Petition, field: PetitionField, up: bool) -> None:
    """Swap a field with the one before (up) or after it on the form."""
    rows = fields_of(session, petition.id or 0)
    at = next(i for i, row in enumerate(rows) if row.id == field.id)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(rows):
        return
    rows[at], rows[other] = rows[other], rows[at]
    for position, row in enumerate(rows, start=1):
        row.position = position
        session.add(row)
    _touch(session, petition)
    session.flush()


def remove_field(session: Session, *, petition: Petition, field: PetitionField) -> bool:
    """Delete a field nobody answered; retire one with answers (off the form, kept in the
    export). True when it was deleted."""
    if has_answers(session, field):
        field.retired_at = field.retired_at or utcnow()
        session.add(field)
        deleted = False
    else:
        delete_versions(session, KIND, field.id or 0)
        session.delete(field)
        deleted = True
    _touch(session, petition)
    session.flush()
    return deleted


def restore_field(session: Session, *, petition: Petition, field: PetitionField) -> bool:
    """Put a retired field back on the form, if there is room; True when it is back."""
    if len(fields_of(session, petition.id or 0, retired=False)) >= MAX_FIELDS:
        return False
    field.retired_at = None
    session.add(field)
    _touch(session, petition)
    session.flush()
    return True


# -- answers -----------------------------------------------------------------------------------


def store_answers(
    session: Session, *, signature_id: int, answers: Iterable[tuple[int, str, bool]]
) -> None:
    """Keep a new signature's answers: plain when not personal, encrypted when personal."""
    rows = [
        {
            "signature_id": signature_id,
            "field_id": field_id,
            "value": "" if personal else value,
            "secret": value if personal else "",
        }
        for field_id, value, personal in answers
    ]
    if rows:
        session.execute(insert(SignatureAnswer), rows)


def erase_answers(session: Session, signed: Any, *, personal_only: bool) -> None:
    """Delete the answers (`personal_only`: the personal ones) of the signatures the `signed`
    subquery selects."""
    where = [col(SignatureAnswer.signature_id).in_(signed)]
    if personal_only:
        personal = select(col(PetitionField.id)).where(col(PetitionField.personal).is_(True))
        where.append(col(SignatureAnswer.field_id).in_(personal))
    session.execute(delete(SignatureAnswer).where(*where))


def answers_by_address(session: Session, index: str) -> dict[int, dict[str, str]]:
    """The answers given with each signature made with the address behind this keyed hash,
    by field label, for the supporter's own page."""
    rows = session.exec(
        select(SignatureAnswer, PetitionField.label)
        .join(PetitionField, col(PetitionField.id) == SignatureAnswer.field_id)
        .join(Signature, col(Signature.id) == SignatureAnswer.signature_id)
        .where(Signature.email_hash == index)
        .order_by(col(PetitionField.position), col(PetitionField.id))
    ).all()
    given: dict[int, dict[str, str]] = {}
    for answer, label in rows:
        given.setdefault(answer.signature_id, {})[label] = answer.secret or answer.value
    return given


def answer_counts(
    session: Session, petition: Petition, *, public: bool = False
) -> list[tuple[PetitionField, list[tuple[str, int]]]]:
    """For each choice and checkbox that is not personal (`public`: and that the organiser
    shows, still on the form), the counted signatures by answer (every offered answer listed,
    those no longer offered after them). Public counts stop at the start of the day (UTC):
    counts that moved with each signature would tell whose answer it was, beside the newest
    signers' names on the petition's page."""
    confirmed: list[Any] = [
        Signature.status == SignatureStatus.confirmed,
        col(Signature.suspect).is_(False),
    ]
    if public:
        today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        confirmed.append(col(Signature.confirmed_at) < today)
    counted = [
        f
        for f in fields_of(session, petition.id or 0, retired=not public)
        if not f.personal
        and f.kind in (FieldKind.choice, FieldKind.checkbox)
        and (f.public or not public)
    ]
    if not counted:
        return []
    rows = session.exec(
        select(SignatureAnswer.field_id, SignatureAnswer.value, func.count())
        .join(Signature, col(Signature.id) == SignatureAnswer.signature_id)
        .where(
            col(SignatureAnswer.field_id).in_([f.id for f in counted]),
            *confirmed,
        )
        .group_by(col(SignatureAnswer.field_id), col(SignatureAnswer.value))
    ).all()
    tally: dict[int, dict[str, int]] = {}
    for field_id, value, n in rows:
        tally.setdefault(field_id, {})[value] = int(n)
    result = []
    for f in counted:
        given = tally.get(f.id or 0, {})
        offered = f.choices if f.kind == FieldKind.choice else ["yes", "no"]
        others = sorted(value for value in given if value not in offered)
        result.append((f, [(value, given.get(value, 0)) for value in [*offered, *others]]))
    return result


def public_answer_counts(
    session: Session, petition: Petition
) -> list[tuple[PetitionField, list[tuple[str, int | None]]]]:
    """The counts of the fields the organiser shows on the public breakdown; None for an answer
    given by fewer than PUBLIC_MIN, and, when only one is hidden, for the next smallest too, so
    that no hidden count can be worked out from the others and the total."""
    shown = []
    for field, counts in answer_counts(session, petition, public=True):
        hidden = {value for value, n in counts if n < PUBLIC_MIN}
        if len(hidden) == 1 and len(counts) > 1:
            hidden.add(min((n, value) for value, n in counts if value not in hidden)[1])
        shown.append((field, [(value, None if value in hidden else n) for value, n in counts]))
    return shown
