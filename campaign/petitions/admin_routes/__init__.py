"""The organiser area for petitions: editing (create, edit, publish, watch) and signatures
(export, hand over, invalidate) and updates (mail to signers, a petition won, official
responses), paper (signature sheets printed, entered, undone) and the sign form's own fields."""

from __future__ import annotations

from fastapi import APIRouter

from campaign.petitions.admin_routes import editing, fields, outcomes, paper, signatures, updates

router = APIRouter()
router.include_router(editing.router)
router.include_router(signatures.router)
router.include_router(updates.router)
router.include_router(outcomes.router)
router.include_router(paper.router)
router.include_router(fields.router)
router.include_router(fields.by_field_router)
