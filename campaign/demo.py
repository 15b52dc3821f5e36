"""Demo content for `make run`: an admin to log in with and a welcome mail to prove the pipe."""

from __future__ import annotations

from sqlmodel import Session

from campaign.accounts.models import Role
from campaign.accounts.service import create_organiser, find_user
from campaign.mail import outbox
from campaign.settings import Settings

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed by `make run`; refused in production


def load_demo(session: Session, *, settings: Settings) -> bool:
    """Add the demo content unless it is there already; True when something was added."""
    if find_user(session, email=DEMO_EMAIL) is not None:
        return False
    user = create_organiser(
        session, email=DEMO_EMAIL, password=DEMO_PASSWORD, role=Role.admin, name="Demo Organiser"
    )
    outbox.enqueue(
        session,
        to=user.email,
        template="welcome",
        context={"name": user.name},
        base_url=settings.base_url,
    )
    return True
