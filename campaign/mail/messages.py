"""Turn an outbox row into an e-mail: subject, plain text and HTML from templates/emails/.

Built with the standard library's classic MIME classes: the newer EmailMessage API parses and
re-folds every header through its header registry, which cost three times as much per message
as rendering the templates did, and was most of the worker's time. Header values are checked
here for line breaks, which the classic classes would not refuse.
"""

from __future__ import annotations

import copy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from campaign import i18n
from campaign.mail.models import OutboxMessage
from campaign.settings import Settings
from campaign.web import environment

# Quoted-printable bodies: text in Latin script stays readable in the raw message.
_UTF8 = copy.copy(Charset("utf-8"))
_UTF8.body_encoding = QP


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
        message[name] = _header(name, value)  # type: ignore[assignment]  # Header is allowed
    # MIMEText takes a Charset too (its stub says str): it sets the body's encoding.
    message.attach(MIMEText(text, "plain", _UTF8))  # type: ignore[arg-type]
    message.attach(MIMEText(html, "html", _UTF8))  # type: ignore[arg-type]
    return message


def _header(name: str, value: str) -> str | Header:
    """A header value as it may be written: one line, RFC 2047 words where not ASCII."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header may not hold a line break")
    return value if value.isascii() else Header(value, _UTF8, header_name=name)


def _sender(mail_from: str, display_name: str | None) -> str:
    """The platform's address, shown with someone else's name when a letter is sent for them."""
    if not display_name:
        return mail_from
    _, address = parseaddr(mail_from)
    return formataddr((" ".join(display_name.split()), address), charset="utf-8")
