"""Turn an outbox row into an e-mail: subject, plain text and HTML from templates/emails/.

Built with the standard library's classic MIME classes: the newer EmailMessage API parses and
re-folds every header through its header registry, which cost three times as much per message
as rendering the templates did, and was most of the worker's time. Header values are checked
here for line breaks, which the classic classes would not refuse.

Addresses go out as their wire form: an international domain as IDNA (anna@xn--e1afmkfd.xn--90ais),
and a name before the @ outside ASCII as UTF-8 over SMTPUTF8, never as RFC 2047 words (which an
address may not hold).
"""

from __future__ import annotations

import copy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email

from campaign.core import i18n
from campaign.core.settings import Settings
from campaign.core.web import environment
from campaign.mail.models import OutboxMessage

# Quoted-printable bodies: text in Latin script stays readable in the raw message.
_UTF8 = copy.copy(Charset("utf-8"))
_UTF8.body_encoding = QP
ADDRESS_HEADERS = ("To", "Reply-To")


def render_parts(
    template: str, context: dict[str, object], locale: str, settings: Settings
) -> tuple[str, str, str]:
    """Subject, text and HTML of a message, rendered in its locale."""
    with i18n.using(locale):
        variables = {"base_url": settings.base_url, "locale": locale, **context}
        subject = environment.get_template(f"emails/{template}.subject").render(variables)
        text = environment.get_template(f"emails/{template}.txt").render(variables)
        html = environment.get_template(f"emails/{template}.html").render(variables)
    return " ".join(subject.split()), text, html


def build_message(row: OutboxMessage, settings: Settings) -> Message:
    """The multipart (text + HTML) message for an outbox row, with its stable Message-ID."""
    subject, text, html = render_parts(row.template, row.context, row.locale, settings)
    message = MIMEMultipart("alternative")
    headers = {
        "Subject": subject,
        "From": _sender(settings.mail_from, row.headers.get("From-Name")),
        "To": row.to_addr,
        "Message-ID": row.message_id,
        "Date": format_datetime(row.created_at),
        "Auto-Submitted": "auto-generated",
        **{name: value for name, value in row.headers.items() if name != "From-Name"},
    }
    for name, value in headers.items():
        if name in ADDRESS_HEADERS:
            message[name] = _address_header(name, value, settings)
        else:
            message[name] = _header(name, value)  # type: ignore[assignment]  # Header is allowed
    # MIMEText takes a Charset too (its stub says str): it sets the body's encoding.
    message.attach(MIMEText(text, "plain", _UTF8))  # type: ignore[arg-type]
    message.attach(MIMEText(html, "html", _UTF8))  # type: ignore[arg-type]
    return message


def wire_address(address: str) -> str:
    """The address as SMTP carries it: an international domain in IDNA; the name before the @
    unchanged (outside ASCII it can go only over SMTPUTF8)."""
    if address.isascii():
        return address
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("the address is not valid") from None  # the address stays out of logs
    return checked.ascii_email or f"{checked.local_part}@{checked.ascii_domain}"


def envelope(row: OutboxMessage, message: Message) -> tuple[list[str], list[str]]:
    """RCPT TO and the MAIL options for a built message: SMTPUTF8 when an address in it keeps
    letters outside ASCII (in To aiosmtplib would see it itself, in Reply-To not)."""
    utf8 = any(isinstance(value, str) and not value.isascii() for _, value in message.raw_items())
    return [wire_address(row.to_addr)], ["SMTPUTF8"] if utf8 else []


def _address_header(name: str, address: str, settings: Settings) -> str:
    """A one-address header in its wire form; outside ASCII as raw UTF-8, which the classic
    generator writes through unchanged when given as surrogate escapes."""
    _one_line(name, address)
    wire = wire_address(address)
    if wire.isascii():
        return wire
    if not settings.smtp_utf8:
        raise ValueError(
            f"the {name} address has letters outside ASCII before the @: it can only be sent "
            "over SMTPUTF8 (set SMTP_UTF8=true if the relay offers it)"
        )
    return wire.encode().decode("ascii", "surrogateescape")


def _header(name: str, value: str) -> str | Header:
    """A header value as it may be written: one line, RFC 2047 words where not ASCII."""
    _one_line(name, value)
    return value if value.isascii() else Header(value, _UTF8, header_name=name)


def _one_line(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header may not hold a line break")


def _sender(mail_from: str, display_name: str | None) -> str:
    """The platform's address, shown with someone else's name when a letter is sent for them."""
    if not display_name:
        return mail_from
    _, address = parseaddr(mail_from)
    return formataddr((" ".join(display_name.split()), address), charset="utf-8")
