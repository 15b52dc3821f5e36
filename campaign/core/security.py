"""Passwords, signed tokens, CSRF, client addresses and their keyed hashes, security headers."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Protocol, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.core.settings import Settings

T = TypeVar("T")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """A hash to check against when there is no account (made on first use: ~0.2 s at start)."""
    return _hasher.hash(secrets.token_urlsafe(16))


CSRF_COOKIE = "campaign_csrf"
SECURE_CSRF_COOKIE = "__Host-campaign_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MAX_AGE = 24 * 3600


# -- passwords ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; spends the same time when there is no account to check."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


# -- tokens and keyed hashes -------------------------------------------------------------------


def signer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    """A serializer for signed, timestamped tokens; `purpose` keeps kinds of token apart."""
    return URLSafeTimedSerializer(settings.secret_key, salt=f"campaign.{purpose}")


def read_token(settings: Settings, purpose: str, token: str, max_age: int) -> Any | None:
    """The payload of a valid token of that purpose, or None when forged, altered or expired."""
    try:
        return signer(settings, purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None


def row_token(settings: Settings, purpose: str, row_id: int | None, nonce: str) -> str:
    """A signed token naming a row and its current nonce (a link in a mail, a cookie)."""
    return str(signer(settings, purpose).dumps([row_id, nonce]))


def row_for_token(
    session: Session,
    model: type[T],
    *,
    settings: Settings,
    purpose: str,
    token: str,
    max_age: int,
    nonce: Callable[[T], str | None],
) -> T | None:
    """The row a token from row_token points to, if genuine, unexpired and its nonce current.

    Changing the row's nonce makes every token issued before worthless (a used link, a
    signed-out session).
    """
    payload = read_token(settings, purpose, token, max_age=max_age)
    if not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], int):
        return None
    row = session.get(model, payload[0])
    current = nonce(row) if row is not None else None
    if not current or not secrets.compare_digest(current, str(payload[1])):
        return None
    return row


class _Row(Protocol):
    id: int | None


R = TypeVar("R", bound=_Row)


@dataclass(frozen=True)
class RowLink(Generic[R]):
    """A kind of token naming a row (a mailed link, a cookie): made and read with the same
    purpose and nonce, so the two cannot drift apart, and worth `max_age` seconds."""

    model: type[R]
    purpose: str
    max_age: int
    nonce: Callable[[R], str]

    def token(self, settings: Settings, row: R) -> str:
        """The token naming this row and its current nonce."""
        return row_token(settings, self.purpose, row.id, self.nonce(row))

    def row(self, session: Session, settings: Settings, token: str) -> R | None:
        """The row a token names, if genuine, unexpired and its nonce current."""
        return row_for_token(
            session,
            self.model,
            settings=settings,
            purpose=self.purpose,
            token=token,
            max_age=self.max_age,
            nonce=self.nonce,
        )


def keyed_hash(settings: Settings, purpose: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256) of a value: stable for look-ups, useless without the key."""
    key = hashlib.sha256(f"{purpose}:{settings.secret_key}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_email(address: str) -> str:
    """The form in which two spellings of one mailbox compare equal.

    Case is folded, a `+tag` is dropped, and for providers that ignore dots in the local part
    (Gmail) the dots go too.
    """
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        domain = DOTLESS_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def email_index(settings: Settings, address: str) -> str:
    """The blind index of an address: a keyed hash of its canonical form, for look-ups."""
    return keyed_hash(settings, "email", canonical_email(address))


def partner_person_id(settings: Settings, organisation_id: int, email_hash: str) -> str:
    """How one supporter is named to one organisation's own systems (webhooks, the partner API):
    stable across petitions, different for each organisation, and no use for finding the address."""
    return keyed_hash(settings, "partner-person", f"{organisation_id}:{email_hash}")[:32]


def token_digest(token: str) -> str:
    """The SHA-256 of a random token, so a leaked table cannot be replayed as cookies."""
    return hashlib.sha256(token.encode()).hexdigest()


# -- client address ----------------------------------------------------------------------------


# The made-up addresses Tor gives each circuit to an onion service (HiddenServiceExportCircuitID
# haproxy, deploy/tor/torrc), passed on by nginx: all in one /64, one per circuit.
TOR_CIRCUITS = ipaddress.IPv6Network("fc00:dead:beef:4dad::/64")


def client_ip(request: Request, settings: Settings) -> str:
    """The client's address; X-Forwarded-For is believed only from a configured trusted proxy."""
    peer = request.client.host if request.client else "0.0.0.0"  # noqa: S104
    if not settings.trusted_proxies or not _is_trusted(peer, settings.trusted_proxies):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # Walk from the nearest hop: the first address that is not one of our proxies is the client.
    for hop in reversed(hops):
        if not _is_trusted(hop, settings.trusted_proxies):
            return hop if _is_ip(hop) else peer
    return hops[0] if hops and _is_ip(hops[0]) else peer


def ip_hash(request: Request, settings: Settings) -> str:
    """A keyed hash of the client: the only form in which an address is ever kept, and the
    identity every per-client limit counts by."""
    return keyed_hash(settings, "ip", client_key(client_ip(request, settings), settings))


def client_key(address: str, settings: Settings) -> str:
    """Who counts as one client: an IPv4 address, or the IPv6 network it lies in.

    A home or a phone is given a whole /64 (IPV6_PREFIX_LENGTH) and may pick a new address in
    it for every request, so counting IPv6 addresses singly would let one client escape every
    limit. An IPv4-mapped IPv6 address is its IPv4 client.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if ip in TOR_CIRCUITS:  # one Tor circuit, not a person's network: each counts alone
            return str(ip)
        return str(ipaddress.IPv6Network((ip, settings.ipv6_prefix_length), strict=False))
    return str(ip)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


# -- CSRF --------------------------------------------------------------------------------------


class CsrfError(Exception):
    """A state-changing request came without a valid CSRF token."""


class CrossSiteError(CsrfError):
    """A public form was sent from another site's page."""


def csrf_cookie_name(settings: Settings) -> str:
    """`__Host-` over https: no sibling subdomain can plant a known secret."""
    return SECURE_CSRF_COOKIE if settings.secure_cookies else CSRF_COOKIE


def cookie_header(
    settings: Settings, name: str, value: str, *, max_age: int | None, http_only: bool = True
) -> str:
    """A Set-Cookie value with the site's rules: Path=/, SameSite=Lax, Secure over https."""
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if settings.secure_cookies:
        parts.append("Secure")
    return "; ".join(parts)


def csrf_secret(request: Request) -> str:
    """The browser's CSRF secret: from its cookie, or a new one the response will set."""
    existing = request.cookies.get(csrf_cookie_name(request.app.state.settings))
    if existing and 20 <= len(existing) <= 100:
        return existing
    if not getattr(request.state, "new_csrf_secret", None):
        request.state.new_csrf_secret = secrets.token_urlsafe(32)
    return str(request.state.new_csrf_secret)


def csrf_token(request: Request, settings: Settings) -> str:
    """A signed token bound to this browser's CSRF secret, for a hidden form field."""
    return str(signer(settings, "csrf").dumps(csrf_secret(request)))


async def check_csrf(request: Request, settings: Settings) -> None:
    """Raise CsrfError unless the form field or header carries a token for this browser."""
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    cookie = request.cookies.get(csrf_cookie_name(settings))
    if not token or not cookie:
        raise CsrfError("missing")
    secret = read_token(settings, "csrf", token, CSRF_MAX_AGE)
    if not isinstance(secret, str) or not hmac.compare_digest(secret, cookie):
        raise CsrfError("invalid")


# Sec-Fetch-Site values of a request a page of this site made, or the person made themselves
# (typed, bookmarked): never another site's page.
OWN_FETCH_SITES = {"same-origin", "none"}


def check_origin(request: Request, settings: Settings) -> None:
    """Raise CrossSiteError for a form sent from another site's page (docs/security.md).

    For the public forms, whose pages a shared cache holds and so carry no per-browser token.
    A real Origin must be one of the site's own (BASE_URL's, the onion's); Sec-Fetch-Site must
    say the request came from this origin. "null" names no origin (a page with Referrer-Policy:
    no-referrer sends it for its own forms) and is judged by Sec-Fetch-Site alone. A request with
    neither header comes from no browser able to be a forger's victim, and is let through to
    the form's own defences (rate limits, honeypot, fill time, double opt-in).
    """
    origin = request.headers.get("origin", "").strip().lower()
    if origin and origin != "null" and origin not in settings.site_origins:
        raise CrossSiteError(origin)
    fetch_site = request.headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site and fetch_site not in OWN_FETCH_SITES:
        raise CrossSiteError(fetch_site)


# -- headers -----------------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Adds the security headers to every response that has not set its own."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (
                b"permissions-policy",
                b"camera=(), microphone=(), geolocation=(), interest-cohort=()",
            ),
        ]
        if hsts:
            self.headers.append(
                (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                if b"content-security-policy" in present:
                    # A page with its own policy (the embed) decides about framing itself.
                    present.add(b"x-frame-options")
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
