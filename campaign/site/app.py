"""create_app(): the one place that knows every router, middleware and error page."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import ASGIApp

from campaign.accounts import admin_routes as account_admin
from campaign.accounts import api_token_routes, organisation_routes
from campaign.accounts import routes as account_routes
from campaign.accounts.deps import LoginRequired, TwoFactorRequired
from campaign.content import admin_routes as content_admin
from campaign.core import outage
from campaign.core.crypto import use_keys
from campaign.core.db import make_engine, make_read_engine
from campaign.core.i18n import _
from campaign.core.middleware import RequestContextMiddleware
from campaign.core.security import (
    CrossSiteError,
    CsrfError,
    SecurityHeadersMiddleware,
    check_csrf,
    check_origin,
)
from campaign.core.settings import Settings, get_settings
from campaign.core.web import STATIC_DIR, RedirectTo, redirect, render
from campaign.hooks import admin_routes as hooks_admin
from campaign.letters import admin_routes as letters_admin
from campaign.letters import official_routes
from campaign.letters import routes as letter_routes
from campaign.mail import dev_routes
from campaign.petitions import admin_routes as petition_admin
from campaign.petitions import api as petition_api
from campaign.petitions import partner_api
from campaign.petitions import routes as petition_routes
from campaign.prisoners import admin_routes as prisoners_admin
from campaign.prisoners import api as prisoner_api
from campaign.prisoners import routes as prisoner_routes
from campaign.privacy import admin_routes as privacy_admin
from campaign.privacy import routes as privacy_routes
from campaign.site import dashboard, home, sitemap
from campaign.site.wiring import wire

log = logging.getLogger("campaign")

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The forms anyone may send, some on pages a shared cache holds: they carry no per-browser
# token, and the browser's own Origin and Sec-Fetch-Site headers tell whether a page of this
# site sent them (core/security.py check_origin, docs/security.md). The organiser and
# volunteer areas keep their tokens. RFC 8058 one-click unsubscribes come from mail providers'
# servers, which send neither header: the signed token in the URL authorises them.
PUBLIC_FORMS = re.compile(
    r"^/(petitions/[^/]+/(sign|embed/sign|confirm|confirm/discard)"
    r"|letters/[^/]+/(write|send|confirm|reply)"
    r"|unsubscribe|volunteer/unsubscribe(/transfers)?)$"
)
# Every id column is an INTEGER; PostgreSQL refuses a larger number in a query, SQLite one past
# 64 bits, so /admin/petitions/99999999999/edit would be a 500 instead of "no such row".
ID_MAX = 2**31 - 1
_AN_INT = TypeAdapter(int)


async def csrf_protect(request: Request) -> None:
    """Every state-changing request comes from this site: a public form by its browser's
    headers, everything else with a CSRF token bound to the browser."""
    if request.method not in UNSAFE_METHODS:
        return
    if PUBLIC_FORMS.match(request.url.path):
        check_origin(request, request.app.state.settings)
        return
    await check_csrf(request, request.app.state.settings)


async def ids_in_range(request: Request) -> None:
    """A 404 for a path id (`petition_id`, `account_id`…) that no row can have."""
    for name, value in request.path_params.items():
        if not name.endswith("_id") or not isinstance(value, str):
            continue
        try:
            number = _AN_INT.validate_python(value)  # read as the route will read it
        except ValidationError:
            continue  # not a whole number: the route's own validation answers
        if not -ID_MAX <= number <= ID_MAX:
            raise StarletteHTTPException(status_code=404)


async def no_nul_characters(request: Request) -> None:
    """A 400 for a NUL character in the path, query or form: no text here has one, and
    PostgreSQL can neither store nor compare it (the query would fail: a 500)."""
    values = [request.url.path, *request.query_params.keys(), *request.query_params.values()]
    content_type = request.headers.get("content-type", "")
    if request.method in UNSAFE_METHODS and content_type.startswith(FORM_TYPES):
        form = await request.form()  # parsed once per request; the route reads the same
        values += [*form.keys(), *(v for v in form.values() if isinstance(v, str))]
    if any("\x00" in value for value in values):
        raise StarletteHTTPException(status_code=400)


# What every route runs before its own work: FastAPI's routes as app-wide dependencies, the
# public writes (below) by calling them.
APP_CHECKS = (csrf_protect, no_nul_characters, ids_in_range)


def _checked(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[..., Any]:
    async def checked(request: Request) -> Response:
        for check in APP_CHECKS:
            await check(request)
        return await endpoint(request)

    return checked


def _add_public_writes(app: FastAPI) -> None:
    """The POSTs of a surge (signing, confirming) as plain routes ahead of all the others:
    matched first, with the app's checks called directly instead of FastAPI's dependency
    solving. Everything around the routes (the middleware, the error pages) is the same."""
    for path, endpoint in reversed(petition_routes.PUBLIC_WRITES.items()):
        route = Route(path, _checked(endpoint), methods=["POST"], name=endpoint.__name__)
        app.router.routes.insert(0, route)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool that runs the routes (anyio's limiter is per event loop), and
    set what the process was built from aside from the garbage collector."""
    settings: Settings = app.state.settings
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads_per_process
    # Everything built so far (modules, routes, templates, mappers: most of the process's
    # objects) lives as long as the process: out of the collector's sight, a full collection
    # walks only what requests made. Measured (docs/benchmarks.md): time in the collector
    # 2.1 s → 0.8 s of 30 s of CPU under a sign surge, and no more pauses of a whole heap
    # in the slowest hundredth of answers. No collection first: at start-up there is little
    # garbage to keep, and a test run starts hundreds of apps (0.1 s a collection).
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # an app stopped in a longer-lived process (tests) may be collected


class CampaignApp(FastAPI):
    """FastAPI with the security headers outermost, so even the 500 page carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        return SecurityHeadersMiddleware(
            super().build_middleware_stack(), hsts=settings.secure_cookies
        )


NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


def create_app(settings: Settings | None = None) -> CampaignApp:
    """Build the application for these settings (read from the environment when not given)."""
    settings = settings or get_settings()
    wire()
    app = CampaignApp(
        title="campaign",
        summary="Petitions, letters to officials and solidarity mail for political prisoners.",
        docs_url=None,  # the interactive docs would load scripts from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(check) for check in APP_CHECKS],
        # FastAPI's built-in OpenTelemetry would send spans, metrics and exception messages to
        # any exporter the environment configures: supporters' requests are not for export.
        # Off, it also costs nothing per request (on, it looked up providers on every one).
        telemetry=NO_TELEMETRY,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    use_keys(settings.data_keys)
    app.state.engine = make_engine(settings.database_url)
    app.state.read_engine = make_read_engine(settings, app.state.engine)

    app.include_router(home.router)
    app.include_router(sitemap.router)
    app.include_router(dashboard.router)
    app.include_router(account_routes.router)
    app.include_router(account_admin.router)
    app.include_router(petition_routes.router)
    app.include_router(petition_routes.unsubscribe_router)
    app.include_router(petition_admin.router)
    app.include_router(petition_api.router)
    app.include_router(petition_api.open_data)
    app.include_router(partner_api.router)
    app.include_router(letter_routes.router)
    app.include_router(letters_admin.router)
    app.include_router(official_routes.router)
    app.include_router(prisoner_routes.router)
    app.include_router(prisoner_api.router)
    app.include_router(prisoners_admin.router)
    app.include_router(content_admin.router)
    app.include_router(organisation_routes.router)
    app.include_router(api_token_routes.router)
    app.include_router(hooks_admin.router)
    app.include_router(privacy_admin.router)
    app.include_router(privacy_admin.organisation_router)
    app.include_router(privacy_routes.router)
    if not settings.is_production:
        app.include_router(dev_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    _add_public_writes(app)
    _add_error_pages(app)
    app.add_middleware(RequestContextMiddleware, settings=settings)
    return app


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path.endswith(".json")
        or "application/json" in request.headers.get("accept", "")
    )


SIGNING = re.compile(r"^/petitions/[^/]+/(embed/)?sign$")
WRITING = re.compile(r"^/letters/[^/]+/(send|confirm)$")
# Never written back into a page: a secret typed once is typed again.
NOT_RESENT = re.compile(r"password|secret|totp|code", re.IGNORECASE)


def _unavailable_detail(request: Request) -> str:
    path = request.url.path
    if request.method not in UNSAFE_METHODS:
        return _("This page cannot be shown right now: the site is busy or restarting.")
    if SIGNING.match(path):
        what = _("Your signature has not been recorded.")
    elif WRITING.match(path):
        what = _("Your letter has not been sent.")
    else:
        what = _("What you sent has not been saved.")
    return what + " " + _("The site is busy or restarting: please send it again in a minute.")


async def _typed_again(request: Request) -> list[tuple[str, str]]:
    """The fields of a form that could not be saved, to be sent again as they were (no
    files, no passwords); nothing for anything but a form."""
    content_type = request.headers.get("content-type", "")
    if request.method not in UNSAFE_METHODS or not content_type.startswith(FORM_TYPES):
        return []
    try:
        form = await request.form()
    except Exception:  # the body is gone or was never a form: nothing to give back
        return []
    return [
        (name, value)
        for name, value in form.multi_items()
        if isinstance(value, str) and not NOT_RESENT.search(name)
    ]


def _error(request: Request, status: int, title: str, detail: str, **headers: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)
    context: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    return render(
        request, "errors/error.html", context, status_code=status, headers=headers or None
    )


_KNOWN = {status.value for status in HTTPStatus}


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {
            400: _("This request could not be understood"),
            403: _("You cannot open this page"),
            404: _("Page not found"),
            405: _("This action is not possible here"),
            429: _("Too many requests"),
        }
        title = titles.get(exc.status_code, _("Something went wrong"))
        # Starlette's own English phrase ("Method Not Allowed") is no message for a visitor.
        default = HTTPStatus(exc.status_code).phrase if exc.status_code in _KNOWN else None
        plain = exc.detail in (None, "", default) or isinstance(exc.detail, dict)
        if exc.status_code == 404 and plain:
            detail = _("The page you asked for does not exist or has moved.")
        else:
            detail = title if plain else str(exc.detail)
        return _error(request, exc.status_code, title, detail, **(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        # Pydantic's messages are English and name internal fields: a visitor gets a sentence
        # in their language (forms check their fields themselves and answer next to them).
        detail = _(
            "Some of what was sent is not valid. Go back, check what you entered and send it again."
        )
        return _error(request, 400, _("This request could not be understood"), detail)

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, exc: CsrfError) -> Response:
        if isinstance(exc, CrossSiteError):
            detail = _(
                "This form was sent from another website, so nothing was done. To sign or "
                "write, open this site's own page and send the form from there."
            )
            return _error(request, 403, _("The form could not be accepted"), detail)
        detail = _(
            "This form has expired or was sent from another site. Go back, reload the page and "
            "send it again. If it keeps happening, make sure your browser accepts cookies from "
            "this site."
        )
        return _error(request, 403, _("The form could not be accepted"), detail)

    @app.exception_handler(RedirectTo)
    async def redirect_to(request: Request, exc: RedirectTo) -> Response:
        # Where it leads depends on who asks (a login, a language): no cache keeps it.
        return RedirectResponse(
            exc.location, status_code=exc.status_code, headers={"cache-control": "no-store"}
        )

    @app.exception_handler(TwoFactorRequired)
    async def two_factor_required(request: Request, exc: TwoFactorRequired) -> Response:
        message = exc.message or _(
            "Turn on two-factor authentication to use the administrator pages."
        )
        return redirect("/account/two-factor", flash=message, request=request)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    async def database_unreachable(request: Request, exc: Exception) -> Response:
        """A 503 in the reader's language instead of a 500 and a traceback: nothing was
        stored, try again in a minute; a form comes back with what was typed, to send again."""
        outage.quiet.report("request", outage.kind(exc))
        headers = {"retry-after": str(outage.RETRY_AFTER), "cache-control": "no-store"}
        title = _("Please try again in a minute")
        detail = _unavailable_detail(request)
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=503, headers=headers)
        context = {"status": 503, "title": title, "detail": detail}
        context["resend"] = await _typed_again(request)
        return render(request, "errors/unavailable.html", context, status_code=503, headers=headers)

    for unreachable in outage.UNREACHABLE:
        app.add_exception_handler(unreachable, database_unreachable)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        if outage.unreachable(exc):  # a lost connection seen as another DBAPI error
            return await database_unreachable(request, exc)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(
            request,
            500,
            _("Something went wrong"),
            _("The error has been logged. Please try again in a moment."),
        )
