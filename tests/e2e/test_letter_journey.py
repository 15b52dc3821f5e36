"""Journey 2: a supporter writes to the officials of a letter campaign, by e-mail and on paper."""

from __future__ import annotations

from email.message import EmailMessage

from playwright.sync_api import Page

from tests.e2e.helpers import (
    Site,
    assert_accessible,
    download,
    pdf_text,
    typed_name,
    unique_email,
)

CAMPAIGN = "/letters/write-for-anna"
PROSECUTOR = "prosecutor@prokuratura.example"


def write_letter(page: Page, site: Site, name: str) -> None:
    """Fill the campaign's form and reach the review page with the letters drafted."""
    page.goto(site.url + CAMPAIGN)
    assert_accessible(page)
    page.get_by_role("textbox", name="Full name").fill(name)
    page.get_by_role("combobox", name="Country").select_option("LT")
    page.get_by_role("textbox", name="City (optional)").fill("Vilnius")
    page.get_by_label("A few words of your own").fill(
        "I met Anna in Hrodna; she taught my daughter to read."
    )
    page.get_by_role("button", name="See my letter").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Your letter"
    assert_accessible(page)
    # English words in the Russian letters: the writer knows, and sends them as they are.
    page.get_by_label("Send my words as they are").check()


def test_a_letter_sent_by_email_reaches_the_official_after_confirmation_with_reply_to(
    page: Page, site: Site
) -> None:
    email = unique_email(page, "writer")
    write_letter(page, site, "Ales Writer")
    page.get_by_role("textbox", name="E-mail address").fill(email)
    page.get_by_role("button", name="Send by e-mail").click()
    page.wait_for_load_state()
    assert_accessible(page)

    def to_prosecutor_from_writer(message: EmailMessage) -> bool:
        return PROSECUTOR in str(message["To"]) and email in str(message["Reply-To"])

    confirmation = site.mail_to(email)
    assert not any(to_prosecutor_from_writer(m) for m in site.smtp.handler.messages), (
        "a letter left before its sender confirmed"
    )
    page.goto(site.link_in(confirmation, "/confirm"))
    assert_accessible(page)
    page.get_by_role("button", name="Send my letters").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Thank you"
    assert_accessible(page)

    letter = site.mail_where(to_prosecutor_from_writer, what=f"to {PROSECUTOR} from {email}")
    assert "Ales Writer" in str(letter["From"])
    body = letter.get_body(("plain",))
    assert body is not None
    assert "she taught my daughter to read" in body.get_content()


def test_a_letter_to_print_downloads_as_a_pdf_with_the_senders_name(
    page: Page, site: Site, variant: str
) -> None:
    name = typed_name(variant)  # Cyrillic, Lithuanian or Chinese
    write_letter(page, site, name)
    data = download(
        page,
        lambda: page.get_by_role("button", name="Download to print and post (PDF)").click(),
    )
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert name in text
    assert "she taught my daughter to read" in " ".join(text.split())
