"""The webhook form, checked at the edge: an address this install may call and known events."""

from __future__ import annotations

from dataclasses import dataclass, field

from campaign.core.i18n import _
from campaign.core.settings import Settings
from campaign.core.web import FormErrors
from campaign.hooks.models import HookEvent
from campaign.hooks.urls import url_problem


def event_choices() -> list[tuple[str, str]]:
    """Each event and what it means, in the organiser's language."""
    return [
        (HookEvent.signature_confirmed.value, _("A supporter confirmed a signature")),
        (HookEvent.letter_sent.value, _("A supporter's letter went out to an official")),
        (HookEvent.update_unsubscribed.value, _("A signer stopped a petition's updates")),
        (HookEvent.person_erased.value, _("A person you were sent asked to be erased")),
    ]


@dataclass
class WebhookForm:
    url: str
    events: list[str]
    active: bool = True
    errors: FormErrors = field(default_factory=FormErrors)

    @classmethod
    def read(cls, raw: dict[str, str], events: list[str], settings: Settings) -> WebhookForm:
        """The form as sent, with an error per field."""
        known = [value for value, _label in event_choices()]
        form = cls(
            url=raw.get("url", "").strip(),
            events=[event for event in known if event in events],
            active=bool(raw.get("active")),
        )
        problem = url_problem(form.url, settings)
        if problem:
            form.errors.add("url", problem)
        if not form.events:
            form.errors.add("events", _("Choose at least one event."))
        return form

    def values(self) -> dict[str, object]:
        """What the template shows again."""
        return {"url": self.url, "events": self.events, "active": self.active}
