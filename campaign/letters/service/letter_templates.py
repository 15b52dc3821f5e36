"""Letter templates: Jinja2 in a sandbox, checked at save time, with the variables organisers see.

The sandbox refuses access to Python internals (`{{ ''.__class__ }}`), the environment has no
loader (no `{% include %}` of files), and undefined variables are errors, so a typo shows up in
the editor with its line, not in a supporter's letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from campaign.core.i18n import _

MAX_LENGTH = 20_000
# Babel's "en" is American ("December 6, 2026"); letters abroad read "6 December 2026".
DATE_LOCALES = {"en": "en_GB"}

# name → what it holds; the editor lists these next to the template.
VARIABLES = {
    "supporter_name": "Ana Bialiatskaya",
    "supporter_city": "Vilnius",
    "supporter_country": "Lithuania",
    "official_name": "Andrei Shved",
    "official_title": "Prosecutor General",
    "salutation": "Dear Prosecutor General",
    "prisoner_name": "Anna Kavalchuk",
    "prisoner_details": "sentenced to four years in 2023 for a comment under a news post",
    "personal_paragraph": "I have followed this case from Vilnius since the day of the arrest.",
    "date": "",
}

_environment = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
_environment.globals.clear()  # no range, cycler, lipsum...: a letter needs only its variables


@dataclass(frozen=True)
class TemplateProblem:
    """What is wrong with a template, and on which line (0 when unknown)."""

    line: int
    message: str


def sample_context(language: str, today: date) -> dict[str, str]:
    """The sample values the preview uses, with the date written in the letter's language."""
    return {**VARIABLES, "date": letter_date(today, language)}


def check_template(text: str, *, language: str, today: date) -> TemplateProblem | None:
    """None when the template renders with the sample values; else the problem and its line."""
    if len(text) > MAX_LENGTH:
        return TemplateProblem(0, _("Use at most %(count)s characters.", count=MAX_LENGTH))
    try:
        _environment.from_string(text).render(sample_context(language, today))
    except TemplateSyntaxError as exc:
        return TemplateProblem(
            exc.lineno or 0, _("Syntax error: %(error)s", error=exc.message or "")
        )
    except Exception as exc:
        # {% include %} finds no loader to read with (TypeError); {{ 1/0 }}; Jinja's own filters
        # fail with AssertionError or AttributeError on some arguments; a macro calling itself
        # is a RecursionError. Whatever a template does wrong is the template's problem.
        return TemplateProblem(
            _line_of(exc), _("This cannot be used here: %(error)s", error=str(exc))
        )
    return None


def render_template(text: str, context: dict[str, str]) -> str:
    """The template filled in with a letter's values (the template was checked when saved)."""
    return _environment.from_string(text).render(context)


def _line_of(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def variables_used(text: str) -> set[str]:
    """The variables a (valid) template refers to."""
    try:
        return set(meta.find_undeclared_variables(_environment.parse(text)))
    except TemplateSyntaxError:
        return set()


def letter_date(day: date, language: str) -> str:
    """The date as a letter in the language writes it (English as "6 December 2026")."""
    return format_date(day, format="long", locale=DATE_LOCALES.get(language, language or "en"))
