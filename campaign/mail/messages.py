"""Turn an outbox row into an e-mail: subject, plain text and HTML from templates/emails/."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from campaign import i18n
from campaign.mail.models import OutboxMessage
from campaign.settings import Settings
from campaign.web import environment


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


def build_message(row: OutboxMessage, settings: Settings) -> EmailMessage:
    """The multipart (text + HTML) message for an outbox row, with its stable Message-ID."""
    subject, text, html = render_parts(row.template, row.context, row.locale, settings)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _sender(settings.mail_from, row.headers.get("From-Name"))
    message["To"] = row.to_addr
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in row.headers.items():
        if name != "From-Name":
            message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _sender(mail_from: str, display_name: str | None) -> str | Address:
    """The platform's address, shown with someone else's name when a letter is sent for them."""
    if not display_name:
        return mail_from
    _, address = parseaddr(mail_from)
    username, _, domain = address.partition("@")
    return Address(display_name=display_name, username=username, domain=domain)
