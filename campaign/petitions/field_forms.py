"""The forms of a petition's own fields: the organiser's form that defines one, and the answers
a signer gives on the sign form, each checked at the edge with an error by field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from campaign.core.i18n import _
from campaign.core.web import FormErrors
from campaign.petitions.models import FieldKind

MAX_FIELDS = 10  # on the form at once; retired ones do not count
MAX_OPTIONS = 20
LABEL_MAX = 200
HELP_MAX = 500
OPTION_MAX = 100
ANSWER_MAX = 300
ANSWER_PREFIX = "field_"
TICKED = {"1", "on", "yes", "true"}


@dataclass(frozen=True)
class FormField:
    """A field as the sign form shows it, in the reader's language: each choice is (the value
    stored, which is the original's wording, and the label shown)."""

    id: int
    kind: str
    label: str
    help: str
    required: bool
    personal: bool
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return f"{ANSWER_PREFIX}{self.id}"


def parse_answers(
    raw: Mapping[str, object], fields: Sequence[FormField], errors: FormErrors
) -> tuple[tuple[int, str, bool], ...]:
    """The signer's answers as (field id, value, personal); a problem is added to `errors`
    under the field's own name, so it shows beside that field."""
    answers = []
    for field in fields:
        given = raw.get(field.name, "")
        text = " ".join(given.split()) if isinstance(given, str) else ""
        if field.kind == FieldKind.checkbox:
            ticked = text in TICKED
            if field.required and not ticked:
                errors.add(field.name, _("Tick this box to sign."))
            answers.append((field.id, "yes" if ticked else "no", field.personal))
            continue
        if not text:
            if field.required:
                message = (
                    _("Choose an answer.") if field.kind == FieldKind.choice else _("Answer this.")
                )
                errors.add(field.name, message)
            continue
        if field.kind == FieldKind.choice and text not in {value for value, _l in field.choices}:
            errors.add(field.name, _("Choose one of the answers offered."))
        elif len(text) > ANSWER_MAX:
            errors.add(field.name, _("Use at most %(count)s characters.", count=ANSWER_MAX))
        else:
            answers.append((field.id, text, field.personal))
    return tuple(answers)


@dataclass(frozen=True)
class FieldForm:
    """What an organiser defines for a field."""

    kind: str
    label: str
    help: str
    options: tuple[str, ...]
    required: bool
    personal: bool
    public: bool = False


def parse_field_form(raw: Mapping[str, str]) -> tuple[FieldForm | None, FormErrors]:
    """Check an organiser's field; a FieldForm, or errors by field."""
    errors = FormErrors()
    kind = raw.get("kind", "")
    label = " ".join(raw.get("label", "").split())
    help_text = " ".join(raw.get("help", "").split())
    lines = [" ".join(line.split()) for line in raw.get("options", "").splitlines()]
    options = tuple(dict.fromkeys(line for line in lines if line))
    if kind not in FieldKind.__members__:
        errors.add("kind", _("Choose a kind of field."))
    if not label:
        errors.add("label", _("Write the question or label."))
    elif len(label) > LABEL_MAX:
        errors.add("label", _("Use at most %(count)s characters.", count=LABEL_MAX))
    if len(help_text) > HELP_MAX:
        errors.add("help", _("Use at most %(count)s characters.", count=HELP_MAX))
    if kind == FieldKind.choice:
        if not 2 <= len(options) <= MAX_OPTIONS:
            errors.add(
                "options",
                _("Write between 2 and %(count)s answers, one per line.", count=MAX_OPTIONS),
            )
        elif any(len(option) > OPTION_MAX for option in options):
            errors.add(
                "options", _("Use at most %(count)s characters per answer.", count=OPTION_MAX)
            )
    public = raw.get("public") in TICKED
    if public and (raw.get("personal") in TICKED or kind == FieldKind.text):
        errors.add("public", _("Only the counts of a choice or a box that is not personal."))
    if errors:
        return None, errors
    form = FieldForm(
        kind=kind,
        label=label,
        help=help_text,
        options=options if kind == FieldKind.choice else (),
        required=raw.get("required") in TICKED,
        # Free text can say anything about the signer: it is always kept as personal.
        personal=raw.get("personal") in TICKED or kind == FieldKind.text,
        public=public,
    )
    return form, errors
