"""The prisoners' side's public pages: who needs mail, a person's page and the letter helper
(prisoners.py); the volunteer's own pages, signed in by a mailed link (volunteers.py); printable
postcards and logging them by code (postcards/routes.py)."""

from __future__ import annotations

from fastapi import APIRouter

from campaign.prisoners.postcards import routes as postcards
from campaign.prisoners.routes import prisoners, volunteers

router = APIRouter()
router.include_router(prisoners.router)
router.include_router(volunteers.router)
router.include_router(postcards.router)
