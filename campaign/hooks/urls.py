"""Which webhook URLs may be called: https to a public address in production; in development
also http and this machine's own addresses (a receiver on the organiser's laptop). The address
is checked when the URL is saved and again, after resolving, at every delivery (DNS may change)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from campaign.core.i18n import _
from campaign.core.settings import Env, Settings


class RefusedAddress(Exception):
    """The URL's host resolves to an address this install must not call."""


def allows_local(settings: Settings) -> bool:
    """Development may call http:// and loopback or private addresses; production never."""
    return settings.env is Env.development


def url_problem(url: str, settings: Settings) -> str | None:
    """Why this URL cannot be a webhook, in a sentence for the form; None when it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("Enter a full address, starting with https://.")
    local = allows_local(settings)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Enter a full address, starting with https://.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the address; the secret signs each call.")
    if not url.isascii() or any(char.isspace() or not char.isprintable() for char in url):
        return _(
            "Write the address in plain ASCII, without spaces: other letters percent-encoded, "
            "a host name in its xn-- form."
        )
    if len(url) > 500:
        return _("Keep the address under 500 characters.")
    if parts.scheme == "http" and not local:
        return _(
            "Use https://: deliveries carry supporters' names and addresses. "
            "(http:// and addresses on this machine are allowed only in development.)"
        )
    if local:
        return None
    try:
        public_addresses(parts.hostname, port or 443)
    except RefusedAddress as exc:
        return str(exc)
    return None


def public_addresses(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public; RefusedAddress otherwise (SSRF: a webhook must
    not reach the database, the cloud's metadata service or anything else inside)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise RefusedAddress(_("No address is found for %(host)s.", host=host)) from None
    addresses = [str(info[4][0]) for info in found]
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise RefusedAddress(
                _(
                    "%(host)s is an address inside a network, not on the internet; "
                    "only development may call one.",
                    host=host,
                )
            )
    return addresses
