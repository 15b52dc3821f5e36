"""Jinja2 environment, render(), flash messages, form errors, and the gettext wiring."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.datastructures import URL, UploadFile

from campaign.core import i18n
from campaign.core.countries import OptionGroup, country_name
from campaign.core.markdown import markdown_text, render_markdown
from campaign.core.security import CSRF_FIELD, csrf_token, read_token, signer
from campaign.core.settings import PROJECT_DIR, Settings

TEMPLATE_DIR = PROJECT_DIR / "templates"
STATIC_DIR = PROJECT_DIR / "static"
FLASH_COOKIE = "campaign_flash"
NO_STORE = {"cache-control": "no-store"}  # organisers' pages and files: nobody's cache keeps them
# A supporter's or volunteer's own page (a confirmation, their letters): no cache keeps it.
PRIVATE = {"cache-control": "private, no-store"}


def make_environment() -> Environment:
    """The one Jinja2 environment: autoescaped, strict about undefined names, gettext installed."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.translate,
        ngettext=i18n.translate_plural,
        newstyle=True,
    )
    environment.globals["language_name"] = i18n.language_name
    environment.globals["country_name"] = country_name
    environment.filters["markdown"] = render_markdown
    environment.filters["markdown_text"] = markdown_text
    environment.globals["format_date"] = i18n.localized_date
    environment.globals["format_time"] = i18n.localized_time
    environment.globals["format_number"] = i18n.format_number
    environment.globals["select_options"] = select_options
    return environment


@lru_cache(maxsize=64)
def _options(choices: tuple[tuple[Any, Any] | OptionGroup, ...]) -> str:
    return "".join(
        f'<optgroup label="{escape(item.label)}">{_options(item.options)}</optgroup>'
        if isinstance(item, OptionGroup)
        else f'<option value="{escape(item[0])}">{escape(item[1])}</option>'
        for item in choices
    )


def select_options(choices: Sequence[tuple[Any, Any] | OptionGroup], value: Any = "") -> Markup:
    """The <option>s of a select (in their <optgroup>s, if grouped), the first one whose code
    is `value` selected.

    The escaped list is kept per list of choices: the country list of the sign form has 250
    names, and escaping them in a template loop was most of the petition page's render time.
    """
    try:
        html = _options(tuple(choices))
    except TypeError:  # choices that cannot be hashed: escaped afresh
        html = _options.__wrapped__(tuple(choices))
    if value not in ("", None):
        plain = f'<option value="{escape(value)}">'
        html = html.replace(plain, plain[:-1] + " selected>", 1)
    return Markup(html)  # noqa: S704 - every part was escaped above


environment = make_environment()


class FormErrors(dict[str, str]):
    """Errors by field name; the template shows each next to its field and in a summary."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with the request, locale, CSRF field, flash messages and current user."""
    settings: Settings = request.app.state.settings
    flashes = _read_flashes(request, settings)
    page_context = {
        "request": request,
        "settings": settings,
        "locale": i18n.get_locale(),
        "locales": i18n.available_locales(),
        "csrf_field": CSRF_FIELD,
        # Called only by pages with a form, so other pages set no cookie and stay cacheable.
        "csrf_token": lambda: csrf_token(request, settings),
        "current_user": getattr(request.state, "user", None),
        # The signed-in volunteer's display name ("" if none), on the pages that look for one.
        "current_volunteer": getattr(request.state, "volunteer", None),
        "flashes": flashes,
        "errors": FormErrors(),
        "form": {},
        # Relative links: a forged Host header must not end up in a page.
        "url_with_lang": lambda lang: language_switch_url(request, lang),
        "content_lang": lambda obj, field: content_lang(obj, field, settings.default_locale),
        **(context or {}),
    }
    body = environment.get_template(template).render(page_context)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    signed_in = page_context["current_user"], page_context["current_volunteer"]
    if signed_in != (None, None) and "cache-control" not in response.headers:
        # Organiser pages hold other people's data: never on a shared or seized disk.
        response.headers["cache-control"] = "no-store"
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


# -- pages a shared cache holds ----------------------------------------------------------------


def language_in_url(request: Request) -> None:
    """A dependency of the pages a shared cache holds: their address names the language.

    A bare address (a shared link, a typed one) is sent on to its `?lang=` address in the
    language negotiated from the cookie and Accept-Language; that redirect is no-store (the
    middleware sets Vary: Accept-Language on it), the page it leads to is the same for all.
    """
    if request.query_params.get("lang") not in i18n.available_locales():
        raise RedirectTo(
            relative_url(request.url.include_query_params(lang=i18n.get_locale())), 302
        )


# A local link or form target (not an asset, not a fragment of this page).
_LOCAL_TARGET = re.compile(
    r'(?P<attr> (?:href|action))="(?P<path>/(?!/|static/|media/)[^"#?]*)'
    r'(?P<query>\?[^"#]*)?(?P<fragment>#[^"]*)?"'
)


def _with_language(html: str, locale: str) -> str:
    """Every local link and form target of a shared page carries its language, so a click
    costs no redirect: done to the rendered page, once per language per max-age, rather
    than in every template's every link."""

    def add(match: re.Match[str]) -> str:
        query = match["query"] or ""
        if "lang=" in query or "." in match["path"].rsplit("/", 1)[-1]:  # a file: no language
            return match[0]
        query = f"{query}&amp;lang={locale}" if query else f"?lang={locale}"
        return f'{match["attr"]}="{match["path"]}{query}{match["fragment"] or ""}"'

    return _LOCAL_TARGET.sub(add, html)


def render_shared(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A public page that is the same bytes for every visitor in its language: a shared cache
    may keep it PUBLIC_PAGE_MAX_AGE seconds; browsers revalidate it by its ETag.

    Anything personal turns it back into a private, no-store page: someone signed in, a flash
    message, a cookie set while rendering, or a language that came from negotiation rather
    than the address.
    """
    settings: Settings = request.app.state.settings
    switcher = {"url_with_lang": lambda lang: language_choice_url(request, lang)}
    response = render(request, template, {**(context or {}), **switcher}, headers=headers)
    personal = (
        getattr(request.state, "user", None) is not None
        or getattr(request.state, "volunteer", None) is not None
        or getattr(request.state, "new_csrf_secret", None)
        or FLASH_COOKIE in request.cookies
        or request.query_params.get("lang") != i18n.get_locale()
        or request.method not in ("GET", "HEAD")
    )
    if personal:
        response.headers.setdefault("cache-control", PRIVATE["cache-control"])
        return response
    body = _with_language(bytes(response.body).decode(), i18n.get_locale()).encode()
    # A shared cache keeps it max-age seconds; a browser asks again each time (a 304 from that
    # cache), so whoever has just signed or confirmed never reads their own browser's older copy.
    cache_control = f"public, max-age=0, s-maxage={settings.public_page_max_age}"
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    shared_headers = {**(headers or {}), "cache-control": cache_control, "etag": etag}
    if settings.onion_origin:
        shared_headers["onion-location"] = settings.onion_origin + relative_url(request.url)
    if (cached := not_modified(request, etag, cache_control)) is not None:
        cached.headers.update(shared_headers)
        return cached
    return HTMLResponse(body, headers=shared_headers)


def language_choice_url(request: Request, lang: str) -> str:
    """The language switcher of a shared page: through /language, which keeps the choice in a
    cookie (the shared page itself can set none) and leads back here in that language."""
    here = relative_url(request.url.remove_query_params("lang"))
    return f"/language?{urlencode({'lang': lang, 'next': here})}"


def relative_url(url: URL) -> str:
    """The path and query of a URL: links never carry the host a request claimed."""
    return f"{url.path}?{url.query}" if url.query else url.path


def content_lang(obj: object, field: str, original: str) -> Markup:
    """` lang="xx"` for organisers' text in another language than the page's, else nothing.

    Screen readers then read an untranslated title with the right voice. Objects that know the
    language of each field (content/service.py::Localized) say so; others are in the original.
    """
    lang_of = getattr(obj, "lang_of", None)
    lang = (lang_of(field) if callable(lang_of) else None) or original
    return Markup(' lang="{}"').format(lang) if lang != i18n.get_locale() else Markup("")


def language_switch_url(request: Request, lang: str) -> str:
    """Where the language switcher leads: this page in another language.

    A page that answers a form (a POST) cannot be asked for again by a link: the switcher leads
    to the page one level up instead (/petitions/x/sign → /petitions/x, /volunteer/settings →
    /volunteer), which is where the visitor came from or the nearest page that makes sense.
    """
    if request.method in ("GET", "HEAD"):
        return relative_url(request.url.include_query_params(lang=lang))
    parent = request.url.path.rstrip("/").rsplit("/", 1)[0] or "/"
    return f"{parent}?lang={lang}"


def redirect(
    url: str, *, flash: str | None = None, request: Request | None = None
) -> RedirectResponse:
    """A 303 redirect after a POST, optionally carrying a one-time message to the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash and request is not None:
        settings: Settings = request.app.state.settings
        response.set_cookie(
            FLASH_COOKIE,
            signer(settings, "flash").dumps([flash]),
            max_age=300,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )
    return response


def _read_flashes(request: Request, settings: Settings) -> list[str]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    messages = read_token(settings, "flash", raw, max_age=300)
    return [str(m) for m in messages] if isinstance(messages, list) else []


T = TypeVar("T")


def found(value: T | None) -> T:
    """The value, or a 404 page when there is none (a look-up by id or slug)."""
    if value is None:
        raise HTTPException(status_code=404)
    return value


def cached_body(request: Request, body: bytes, media_type: str, cache_control: str) -> Response:
    """A public document with an ETag of its bytes: a 304 when the client holds it already."""
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:24]}"'
    if (cached := not_modified(request, etag, cache_control)) is not None:
        return cached
    headers = {"etag": etag, "cache-control": cache_control}
    return Response(body, media_type=media_type, headers=headers)


def not_modified(request: Request, etag: str, cache_control: str) -> Response | None:
    """A 304 when the client already holds this version (If-None-Match), else None."""
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers={"etag": etag, "cache-control": cache_control})
    return None


def csv_attachment(filename: str, body: bytes | Iterator[bytes]) -> Response:
    """A CSV file for an organiser to save, kept by no cache: whole, or streamed as it is read."""
    headers = {"content-disposition": f'attachment; filename="{filename}"', **NO_STORE}
    if isinstance(body, bytes):
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form's text fields (parsed once per request), for sync routes."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


class RedirectTo(Exception):
    """Raised by a dependency that sends the visitor elsewhere first (to sign in, say)."""

    def __init__(self, location: str, status_code: int = 303) -> None:
        super().__init__(location)
        self.location = location
        self.status_code = status_code


def repeated(field: str) -> Callable[[Request], Awaitable[list[str]]]:
    """A dependency giving every value of a form field that repeats (ticked checkboxes)."""

    async def read(request: Request) -> list[str]:
        values = (await request.form()).getlist(field)
        return [value for value in values if isinstance(value, str)]

    return read


def uploaded(field: str, limit: int) -> Callable[[Request], Awaitable[bytes | None]]:
    """A dependency giving the bytes of a form's file field, if a file was chosen.

    It reads one byte past the limit, so the caller can refuse a file that is too large
    without reading all of it.
    """

    async def read(request: Request) -> bytes | None:
        upload = (await request.form()).get(field)
        if isinstance(upload, UploadFile) and upload.filename:
            return await upload.read(limit + 1) or None
        return None

    return read


def safe_next(target: str | None, default: str = "/admin") -> str:
    """A local path to go to after login; anything pointing elsewhere falls back to default."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
