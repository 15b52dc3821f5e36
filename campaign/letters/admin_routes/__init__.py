"""The organiser area of letters to officials: the register of officials, campaigns and their
templates, and each campaign's delivery (counts, queue, pauses, replies)."""

from __future__ import annotations

from fastapi import APIRouter

from campaign.letters.admin_routes import campaigns, delivery, officials

router = APIRouter()
router.include_router(officials.router)
router.include_router(campaigns.router)
router.include_router(delivery.router)
