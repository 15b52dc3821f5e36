"""Per-request context: the locale, the cookies it implies, and an access log without addresses."""

from __future__ import annotations

import logging
import time
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.core import i18n
from campaign.core.security import cookie_header, csrf_cookie_name
from campaign.core.settings import Settings

access_log = logging.getLogger("campaign.http")
YEAR = 365 * 24 * 3600


class RequestContextMiddleware:
    """Picks the locale, sets the language and CSRF cookies when needed, logs the request line.

    The log line holds method, path (never the query string, which may carry tokens), status
    and duration. It never holds the client's address.
    """

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        path = scope["path"]
        if method == "HEAD":
            # Monitors and link checkers ask with HEAD: answer as GET would, without the body.
            scope = {**scope, "method": "GET"}
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _cookies(headers.get("cookie", ""))
        query_lang = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[
            0
        ]
        locale = i18n.negotiate(
            query_lang,
            cookies.get(i18n.LANGUAGE_COOKIE),
            headers.get("accept-language", ""),
            self.settings.default_locale,
        )
        i18n.set_locale(locale)
        state = scope.setdefault("state", {})
        state["locale"] = locale
        status = 500
        body_done = False

        async def send_with_cookies(message: Message) -> None:
            nonlocal status, body_done
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers.append("content-language", locale)
                if query_lang != locale:
                    # Negotiated: another visitor may get another language at this address.
                    vary = response_headers.get("vary")
                    response_headers["vary"] = (
                        f"{vary}, Accept-Language" if vary else "Accept-Language"
                    )
                shared = "public" in response_headers.get("cache-control", "")
                # A page a shared cache keeps sets no cookie: the choice of language is
                # remembered from the next private answer (a form sent, a page of one's own).
                if (
                    query_lang == locale
                    and cookies.get(i18n.LANGUAGE_COOKIE) != locale
                    and not shared
                ):
                    language = cookie_header(
                        self.settings, i18n.LANGUAGE_COOKIE, locale, max_age=YEAR, http_only=False
                    )
                    response_headers.append("set-cookie", language)
                new_secret = state.get("new_csrf_secret")
                if new_secret:
                    # A browser-session cookie: it goes when the browser closes.
                    name = csrf_cookie_name(self.settings)
                    csrf = cookie_header(self.settings, name, new_secret, max_age=None)
                    response_headers.append("set-cookie", csrf)
                if shared and "set-cookie" in response_headers:
                    # Never a cookie in a shared cache: whoever came next would receive it.
                    response_headers["cache-control"] = "private, no-store"
                if "cache-control" not in response_headers and not path.startswith("/static/"):
                    # Only what says `public` is shared: a cache told to keep answers without
                    # a header (proxy_cache_valid) must not keep a page that forgot one.
                    response_headers["cache-control"] = "private, no-cache"
            if method == "HEAD" and message["type"] == "http.response.body":
                if body_done:
                    return
                body_done = True
                message = {**message, "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookies)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", method, _printable(scope["path"]), status, elapsed)


def _printable(path: str) -> str:
    """The path with control characters escaped: a %0A in a URL must not forge a log line."""
    if path.isprintable():
        return path
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in path)


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is the client's problem, not a 500
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
