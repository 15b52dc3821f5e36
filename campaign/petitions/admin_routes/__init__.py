"""The organiser area for petitions: editing (create, edit, publish, watch) and signatures
(export, hand over, invalidate, mail updates to signers)."""

from __future__ import annotations

from fastapi import APIRouter

from campaign.petitions.admin_routes import editing, signatures

router = APIRouter()
router.include_router(editing.router)
router.include_router(signatures.router)
