"""Property tests (hypothesis) for the parsers that read what strangers and organisers type:
e-mail addresses and their blind index, CSV imports (on both databases), the letter-template
sandbox and the petition sign form. Each property is checked on generated input, hostile text
included; a parser may refuse anything, but only with its own message or report."""

from __future__ import annotations

import csv
import io
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, select

from campaign.core.csvimport import ImportReport, rows_from_upload
from campaign.core.db import transaction
from campaign.core.fields import check_email, row_id
from campaign.core.i18n import _
from campaign.core.security import canonical_email, email_index
from campaign.core.settings import Settings
from campaign.letters.forms import check_letter, parse_official
from campaign.letters.models import LetterCampaign, Official, OfficialEmail, PersonalParagraph
from campaign.letters.service import officials
from campaign.letters.service.campaigns import preview
from campaign.letters.service.letter_templates import (
    VARIABLES,
    TemplateProblem,
    check_template,
    render_template,
    sample_context,
)
from campaign.petitions.forms import CITY_MAX, NAME_MAX, SignForm, parse_sign_form
from campaign.prisoners import forms
from campaign.prisoners.models import Facility, Placement, Prisoner
from campaign.prisoners.service import register
from tests.conftest import make_settings
from tests.factories import LETTER_BODY_EN, LETTER_BODY_RU, make_prisoner

PURE = settings(max_examples=150, deadline=None, database=None)
# On a real database every example is an import and a commit: fewer of them.
ON_DATABASE = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
TODAY = date(2026, 11, 25)

# Text that troubles parsers and databases: NUL (PostgreSQL refuses it), line and paragraph
# separators, direction marks, a BOM, formula starts, astral characters, long values.
HOSTILE = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\r",
        "\r\n",
        "\u2028",
        "\u202e",
        "\ufeff",
        "=1+1",
        "@SUM(A1)",
        '"',
        '""',
        ",",
        ";",
        "𝔣𝔯𝔢𝔢",
        "x" * 400,
        " ",
    ]
)
TEXT = st.one_of(st.text(max_size=40), HOSTILE)
# Text with nothing Jinja would read as a tag.
PLAIN = st.text(
    alphabet=st.characters(exclude_characters="{}%#", exclude_categories=["Cs"]), max_size=10
)


@pytest.fixture(scope="module")
def plain_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the keyed hashes; no database is touched."""
    path: Path = tmp_path_factory.mktemp("fuzz")
    return make_settings(f"sqlite:///{path / 'unused.db'}", path, 25)


# -- e-mail addresses and the blind index ------------------------------------------------------

LETTERS = string.ascii_lowercase + "ąćęłńóśźżčėįšųūžабвгдеёжзийклмнопрстуфхцчшщыьэюяіў"
WORD = st.text(alphabet=LETTERS + string.digits, min_size=1, max_size=8)
DOMAINS = ["gmail.com", "googlemail.com", "example.org", "mail.example.by", "post.lt"]


def email_like() -> st.SearchStrategy[str]:
    """Addresses, nearly-addresses and anything at all."""
    mutated = st.tuples(st.emails(), st.text(max_size=3), st.integers(0, 80)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    )
    return st.one_of(st.text(max_size=80), st.emails(), mutated, HOSTILE)


@PURE
@given(address=email_like())
def test_canonical_form_is_idempotent(address: str) -> None:
    once = canonical_email(address)
    assert canonical_email(once) == once


@PURE
@given(value=email_like())
@pytest.mark.parametrize("smtputf8", [False, True])
def test_check_email_gives_a_normalised_address_or_its_own_message(
    value: str, smtputf8: bool
) -> None:
    address, problem = check_email(value, smtputf8=smtputf8)
    messages = {_("Enter your e-mail address."), _("Enter a valid e-mail address.")}
    if not smtputf8:
        messages.add(
            _(
                "Letters outside the Latin alphabet before the @ cannot be mailed from this "
                "site. Use an address with Latin letters before the @."
            )
        )
    if problem is not None:
        assert problem in messages
        return
    assert "@" in address and address == address.strip() and len(address) <= 254
    assert "\x00" not in address
    # a stored address checks out again
    assert check_email(address, smtputf8=smtputf8) == (address, None)


@st.composite
def one_mailbox(draw: st.DrawFn) -> tuple[str, str]:
    """Two spellings of one mailbox: case, a +tag, surrounding space, Unicode composed or
    not, and for Gmail dots anywhere in the local part and the googlemail.com domain."""
    words = draw(st.lists(WORD, min_size=1, max_size=3))
    domain = draw(st.sampled_from(DOMAINS))
    gmail = domain in {"gmail.com", "googlemail.com"}
    local = "".join(words) if gmail else ".".join(words)
    variant = local
    if gmail:
        dots = draw(st.lists(st.booleans(), min_size=len(local), max_size=len(local)))
        variant = "".join(
            c + ("." if dot and i < len(local) - 1 else "")
            for i, (c, dot) in enumerate(zip(local, dots, strict=True))
        )
        domain_variant = draw(st.sampled_from(["gmail.com", "googlemail.com"]))
    else:
        domain_variant = domain
    upper = draw(st.lists(st.booleans(), min_size=len(variant), max_size=len(variant)))
    variant = "".join(c.upper() if up else c for c, up in zip(variant, upper, strict=True))
    tag = draw(st.text(alphabet=string.ascii_letters + string.digits + "-", max_size=8))
    if tag:
        variant += "+" + tag
    variant = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), variant)
    spaces = draw(st.sampled_from(["", " ", "\t", " \n"]))
    return f"{local}@{domain}", f"{spaces}{variant}@{domain_variant.upper()}{spaces}"


@PURE
@given(pair=one_mailbox())
def test_spellings_of_one_mailbox_share_one_blind_index(
    plain_settings: Settings, pair: tuple[str, str]
) -> None:
    # Names before the @ outside ASCII are allowed where the relay offers SMTPUTF8.
    first, problem = check_email(pair[0], smtputf8=True)
    assert problem is None, pair
    second, problem = check_email(pair[1], smtputf8=True)
    assert problem is None, pair
    # The app hashes what check_email gave back, never the raw field.
    assert email_index(plain_settings, first) == email_index(plain_settings, second)


@PURE
@given(words=st.lists(WORD, min_size=2, max_size=3), domain=st.sampled_from(DOMAINS[2:]))
def test_dots_only_disappear_at_gmail(
    plain_settings: Settings, words: list[str], domain: str
) -> None:
    dotted, problem = check_email(".".join(words) + "@" + domain, smtputf8=True)
    joined, other_problem = check_email("".join(words) + "@" + domain, smtputf8=True)
    assert problem is None and other_problem is None
    assert email_index(plain_settings, dotted) != email_index(plain_settings, joined)


# -- CSV imports -------------------------------------------------------------------------------


def csv_bytes(
    header: list[str], rows: Iterable[Mapping[str, str]], encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding, errors="replace")


def uploads(columns: list[str]) -> st.SearchStrategy[bytes]:
    """Files an organiser might upload: any bytes, CSV with any header and cells, in UTF-8 with
    or without a BOM, or in the Windows encoding a spreadsheet may still pick."""
    header = st.lists(st.one_of(st.sampled_from(columns), st.text(max_size=10)), max_size=12)
    rows = st.lists(st.dictionaries(st.sampled_from(columns), TEXT, max_size=12), max_size=5)
    built = st.builds(
        csv_bytes, header, rows, st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"])
    )
    return st.one_of(st.binary(max_size=600), built)


READERS: dict[str, tuple[Callable[[bytes], Any], list[str]]] = {
    "officials": (officials.read_csv, officials.COLUMNS),
    "prisoners": (register.read_csv, register.COLUMNS),
}


@pytest.mark.parametrize("kind", list(READERS))
def test_any_upload_gives_rows_of_text_or_one_message(kind: str) -> None:
    reader, columns = READERS[kind]

    @PURE
    @given(data=uploads(columns))
    def read(data: bytes) -> None:
        rows, errors = rows_from_upload(data, limit=5000, reader=reader)
        if errors:
            assert list(errors) == ["file"] and rows == []
            return
        for row in rows:
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.items())
            assert not any("\x00" in v for v in row.values())  # PostgreSQL cannot store it

    read()


@PURE
@given(row=st.dictionaries(st.one_of(st.sampled_from(officials.COLUMNS), st.text()), TEXT))
def test_an_official_row_is_checked_without_surprises(row: dict[str, str]) -> None:
    form, errors = parse_official(row)
    assert (form is None) == bool(errors)
    assert set(errors) <= set(officials.COLUMNS)


@PURE
@given(row=st.dictionaries(st.one_of(st.sampled_from(register.COLUMNS), st.text()), TEXT))
def test_a_prisoner_row_is_checked_without_surprises(row: dict[str, str]) -> None:
    form, errors = forms.parse_prisoner(row, {"Colony No. 4": 1}, today=TODAY)
    assert (form is None) == bool(errors)
    assert set(errors) <= set(register.COLUMNS)


def count(engine: Engine, *tables: type) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(
            int(session.exec(select(func.count()).select_from(table)).one()) for table in tables
        )


def import_upload(
    engine: Engine, data: bytes, reader: Callable[[bytes], Any], run: Callable[..., ImportReport]
) -> ImportReport | None:
    """What the import route does: read the file, import with apply, commit whatever the
    report says (the request's session commits after a 400 page too)."""
    rows, errors = rows_from_upload(data, limit=1024 * 1024, reader=reader)
    if errors:
        return None
    with Session(engine) as session:
        report = run(session, rows)
        session.commit()
    return report


def official_rows() -> st.SearchStrategy[list[dict[str, str]]]:
    """Rows for the officials' register; "@0" and "@1" stand for the ids of the two officials
    there are when the file is imported."""
    address = st.sampled_from(["pg@prokuratura.example", "a@b.by", "x@gmail.com"])
    emails = st.one_of(
        st.just(""),
        st.lists(
            st.tuples(address, st.sampled_from(["", " bouncing", ":blocked", " lost"])),
            max_size=3,
        ).map(lambda pairs: "; ".join(a + s for a, s in pairs)),
        TEXT,
    )
    ids = ["@0", "@1", "²", "١٢", "99999999999", "9" * 30, "-1", "0", "1.0", " 1 "]
    good = st.fixed_dictionaries(
        {
            "id": st.sampled_from(["", "", "@0", "@1"]),
            "name": st.text(min_size=1, max_size=30).filter(str.strip),
            "country": st.sampled_from(["", "BY", "lt"]),
            "language": st.sampled_from(["", "ru", "EN"]),
            "emails": st.sampled_from(
                ["", "a@b.by", "pg@prokuratura.example bouncing; x@gmail.com"]
            ),
        },
        optional={"title": PLAIN, "institution": PLAIN, "postal_address": TEXT, "notes": TEXT},
    )
    anything = st.fixed_dictionaries(
        {
            "id": st.one_of(st.just(""), st.sampled_from(ids), TEXT),
            "name": st.one_of(st.text(min_size=1, max_size=30), TEXT, st.just("x" * 201)),
            "title": TEXT,
            "institution": TEXT,
            "country": st.sampled_from(["", "BY", "lt", "XX", "Belarus", "\x00"]),
            "language": st.sampled_from(["", "ru", "EN", "xx", "rus", "av"]),
            "emails": emails,
            "postal_address": TEXT,
            "notes": TEXT,
        }
    )
    # Half the files are good throughout (an import happens), half have anything in them.
    return st.one_of(
        st.lists(good, max_size=5), st.lists(st.one_of(good, anything), min_size=1, max_size=5)
    )


def two_officials(engine: Engine) -> dict[str, str]:
    """An empty register but for two officials; "@0" and "@1" mapped to their ids."""
    with transaction(engine) as session:
        session.execute(delete(OfficialEmail))
        session.execute(delete(Official))
        people = [Official(name="Андрей Швед", country="BY"), Official(name="Jane Envoy")]
        session.add_all(people)
        session.flush()
        return {f"@{n}": str(official.id) for n, official in enumerate(people)}


def test_an_officials_import_writes_every_row_or_none(engine: Engine) -> None:
    tables = (Official, OfficialEmail)

    @ON_DATABASE
    @given(rows=official_rows())
    def run(rows: list[dict[str, str]]) -> None:
        ids = two_officials(engine)  # each example starts from the same register
        rows = [{**row, "id": ids.get(row["id"], row["id"])} for row in rows]
        before = count(engine, *tables)
        report = import_upload(
            engine,
            csv_bytes(officials.COLUMNS, rows),
            officials.read_csv,
            lambda session, rows: officials.import_officials(session, rows, apply=True),
        )
        after = count(engine, *tables)
        if report is None or not report.ok:
            assert after == before  # nothing half-imported
        else:
            assert report.created + report.updated == len(rows)
            assert after[0] == before[0] + report.created

    run()


NAMES = ["Иван Петров", "Пётр", "Page", "page", "A", "a!", "Ales Bialiatski", "x" * 201, ""]


@st.composite
def prisoner_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Rows whose names slugify alike and whose ids differ only in punctuation, dates valid and
    not, and every hostile cell; some name a facility that exists."""
    day = st.dates(min_value=date(1890, 1, 1), max_value=date(2040, 1, 1)).map(date.isoformat)
    any_day = st.one_of(
        st.just(""),
        day,
        st.sampled_from(["2027-02-30", "31.12.2020", "20200101", "2020-W01-1", "０１"]),
    )
    good = st.fixed_dictionaries(
        {
            "external_id": st.text(alphabet="ab1-!. ", min_size=1, max_size=4).filter(str.strip),
            "name_latin": st.one_of(st.sampled_from(NAMES[:-2]), PLAIN.filter(str.strip)),
        },
        optional={
            "name_cyrillic": PLAIN,
            "gender": st.sampled_from(["", "female", "MALE", "other"]),
            "birth_date": st.sampled_from(["", "1980-02-29"]),
            "arrested_on": st.sampled_from(["", "2021-08-01"]),
            "release_expected_on": st.sampled_from(["", "2027-08-01", "20300101"]),
            "status": st.sampled_from(["", "sentenced", "Detained"]),
            "accepts_letters": st.sampled_from(["", "yes", "нет", "Tak"]),
            "facility": st.sampled_from(["", "Colony No. 4"]),
            "letter_address": TEXT,
            "region": PLAIN,
            "source_date": day,
        },
    )
    anything = st.fixed_dictionaries(
        {
            "external_id": st.one_of(
                st.text(alphabet="ab1-!. ", max_size=4), st.just("x" * 65), TEXT
            ),
            "name_latin": st.one_of(st.sampled_from(NAMES), TEXT),
            "name_cyrillic": TEXT,
            "gender": st.sampled_from(["", "female", "MALE", "other", "x"]),
            "birth_date": any_day,
            "arrested_on": any_day,
            "release_expected_on": any_day,
            "status": st.sampled_from(["", "sentenced", "Detained", "released", "free"]),
            "accepts_letters": st.sampled_from(["", "yes", "нет", "Tak", "maybe"]),
            "facility": st.sampled_from(["", "Colony No. 4", "Colony No. 5"]),
            "letter_address": TEXT,
            "region": TEXT,
            "articles": TEXT,
            "source_date": any_day,
        }
    )
    return draw(
        st.one_of(
            st.lists(good, max_size=5),
            st.lists(st.one_of(good, anything), min_size=1, max_size=5),
        )
    )


def test_a_prisoners_import_writes_every_row_or_none_and_again_changes_nothing(
    engine: Engine,
) -> None:
    tables = (Prisoner, Placement, Facility)

    def run_import(session: Session, rows: list[dict[str, str]]) -> ImportReport:
        return register.import_prisoners(session, rows, apply=True, today=TODAY)

    @ON_DATABASE
    @given(rows=prisoner_rows())
    def run(rows: list[dict[str, str]]) -> None:
        # Each example starts from the same register: one person (slug "page"), one facility.
        with transaction(engine) as session:
            session.execute(delete(Placement))
            session.execute(delete(Prisoner))
        make_prisoner(engine, external_id="a", name_latin="Page", slug="page")
        data = csv_bytes(register.COLUMNS, rows)
        before = count(engine, *tables)
        report = import_upload(engine, data, register.read_csv, run_import)
        after = count(engine, *tables)
        if report is None or not report.ok:
            assert after == before  # nothing half-imported
            return
        assert after[0] == before[0] + report.created
        # The same file next week: everyone is there already, nothing changes.
        again = import_upload(engine, data, register.read_csv, run_import)
        assert again is not None and again.ok
        assert (again.created, again.updated) == (0, 0)
        assert count(engine, *tables) == after

    run()


# -- letter templates --------------------------------------------------------------------------

# Pieces a template is made of, the sandbox's known escapes among them; numbers stay small and
# loops short, so that no example is slow on purpose.
FRAGMENTS = [
    *[f"{{{{ {name} }}}}" for name in VARIABLES],
    "{{ supporter_name|upper }}",
    "{{ salutation|title }}",
    "{% if supporter_city %}",
    "{% else %}",
    "{% endif %}",
    "{% for c in [1, 2] %}",
    "{% endfor %}",
    "{% set x = 1 %}",
    "{{ x }}",
    "{{ ",
    " }}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{% raw %}",
    "{% endraw %}",
    "{{ undefined_thing }}",
    "{{ supporter_name[1000] }}",
    "{{ 1/0 }}",
    "{{ 1 is divisibleby 0 }}",
    "{{ '%s %s'|format(1) }}",
    "{{ 'x'|truncate(-1) }}",
    "{{ 'x'|wordwrap(0) }}",
    "{{ 'a'|wordwrap(5, wrapstring=1) }}",
    "{{ 'a'|xmlattr }}",
    "{{ (1e308 * 10)|int }}",
    "{{ [1, 'a']|sort }}",
    "{{ 'abc'[::0] }}",
    "{% include 'x' %}",
    "{% extends 'base.html' %}",
    "{% import 'x' as y %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ " + "(" * 120 + "1" + ")" * 120 + " }}",
    "{{ lipsum() }}",
    "{{ range(3) }}",
    "{{ self }}",
    "{{ caller() }}",
    "\n",
    "Dear",
]
# Ways to reach Python's internals; the sandbox must refuse every one.
DUNDERS = [
    ".__class__",
    ".__class__.__mro__[1].__subclasses__()",
    ".__init__.__globals__",
    "|attr('__class__')",
    "|attr('_' ~ '_cla' ~ 'ss_' ~ '_')",
    "['__class__']",
    ".upper.__self__",
    ".format_map.__func__",
    ".__reduce_ex__(2)",
]
BASES = ["supporter_name", "''", "[]", "{}", "(1).real", "salutation.upper", "self", "x"]
LANGUAGES = ["en", "ru", "be", "uk", "pl", "lt", "de"]


def template_text() -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
    return st.lists(pieces, max_size=10).map("".join)


@PURE
@given(text=template_text(), language=st.sampled_from(LANGUAGES))
def test_any_template_text_is_accepted_or_refused_with_a_problem(text: str, language: str) -> None:
    problem = check_template(text, language=language, today=TODAY)
    if problem is None:  # what the check accepted renders with the sample values
        render_template(text, sample_context(language, TODAY))
    else:
        assert isinstance(problem, TemplateProblem)
        assert isinstance(problem.line, int) and problem.line >= 0 and problem.message


@PURE
@given(
    before=template_text(),
    base=st.sampled_from(BASES),
    escape=st.sampled_from(DUNDERS),
    after=st.sampled_from(["", "|string", "|list", "()"]),
)
def test_no_template_reaches_python_internals(
    before: str, base: str, escape: str, after: str
) -> None:
    text = "{% set x = 1 %}" + f"{{{{ {base}{escape}{after} }}}}"
    problem = check_template(before + "\n" + text, language="en", today=TODAY)
    assert problem is not None  # cannot be saved
    for line in (text, "{% if 1 %}" + text + "{% endif %}"):
        try:
            output = render_template(line, sample_context("en", TODAY))
        except Exception as exc:
            assert "jinja2" in type(exc).__module__, type(exc)  # the sandbox said no
        else:
            raise AssertionError(f"rendered: {output!r}")


SUPPORTER_FIELDS = ["supporter_name", "supporter_city", "supporter_country", "personal_paragraph"]


@PURE
@given(
    values=st.fixed_dictionaries({name: TEXT for name in SUPPORTER_FIELDS}),
    body=st.sampled_from([LETTER_BODY_EN, LETTER_BODY_RU]),
)
def test_a_valid_template_renders_whatever_supporters_type(
    values: dict[str, str], body: str
) -> None:
    context = {**sample_context("ru", TODAY), **values}
    letter = render_template(body, context)
    for value in values.values():
        assert value in letter  # as typed: a "{{ }}" in a name is text, never evaluated


def template_blocks() -> st.SearchStrategy[str]:
    """Well-formed templates: variables and text inside blocks, with line breaks anywhere."""
    leaf = st.one_of(st.sampled_from([*FRAGMENTS[: len(VARIABLES) + 2], "\n"]), PLAIN)
    br = st.sampled_from(["", "\n"])

    def wrap(start: str, end: str) -> Callable[[tuple[str, str, str]], str]:
        return lambda t: start + t[0] + t[1] + t[2] + end

    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map("".join),
            st.tuples(br, inner, br).map(wrap("{% if supporter_city %}", "{% endif %}")),
            st.tuples(br, inner, br).map(wrap("{% for c in [1, 2] %}", "{% endfor %}")),
            st.tuples(br, inner, br).map(wrap("{% set x = 1 %}", "{{ x }}")),
        ),
        max_leaves=8,
    )


LANGUAGE_CODES = sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@settings(PURE, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    subjects=template_blocks(),
    body=st.one_of(
        st.just(LETTER_BODY_EN), template_blocks().map(lambda t: t + "{{ personal_paragraph }}")
    ),
    language=st.sampled_from(LANGUAGE_CODES),
)
def test_a_template_the_editor_accepts_can_be_previewed(
    subjects: str, body: str, language: str
) -> None:
    campaign = LetterCampaign(slug="x", title="x", personal_paragraph=PersonalParagraph.optional)
    raw = {"language": language, "subjects": subjects, "body": body}
    values, errors = check_letter(raw, today=TODAY, campaign=campaign)
    assume(not errors)
    result = preview(values, today=TODAY)  # each subject line alone, and the body
    assert len(result.subjects) == len(values["subjects"].splitlines())


# -- the sign form -----------------------------------------------------------------------------

FIELDS = ["name", "email", "country", "city", "consent", "wants_updates", "show_publicly"]


def form_values() -> st.SearchStrategy[object]:
    return st.one_of(
        TEXT,
        st.sampled_from(["1", "on", "yes", "true", "BY", "by", "ana@example.org"]),
        st.emails(),
        st.none(),
        st.integers(),
        st.lists(st.text(max_size=3), max_size=2),
    )


@PURE
@given(raw=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text()), form_values()))
def test_the_sign_form_gives_a_signature_or_errors_by_field(raw: dict[str, object]) -> None:
    form, errors = parse_sign_form(raw)
    if form is None:
        assert errors and set(errors) <= set(FIELDS)
        return
    assert not errors and isinstance(form, SignForm)
    assert form.name and len(form.name) <= NAME_MAX and form.name == " ".join(form.name.split())
    assert len(form.city) <= CITY_MAX
    assert check_email(form.email) == (form.email, None)
    assert len(form.country) == 2 and form.country.isupper()
    # Padding every text field with spaces and line breaks changes nothing.
    text = {"name", "email", "country", "city"}
    padded = {k: f" \n{v}\t " if k in text and isinstance(v, str) else v for k, v in raw.items()}
    assert parse_sign_form(padded) == (form, errors)


@given(st.text(max_size=30))
def test_an_id_from_a_form_is_a_database_integer_or_none_never_an_error(value: str) -> None:
    number = row_id(value)
    assert number is None or 0 <= number <= 2**31 - 1


@pytest.mark.parametrize("days", ["²", "99999999999999999999", "-3", "14.5", ""])
def test_a_volunteers_reminder_days_that_are_no_whole_number_are_a_form_error(days: str) -> None:
    form, errors = forms.parse_settings({"reminder_days": days})
    assert form is None and "reminder_days" in errors
