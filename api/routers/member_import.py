"""Nominal-roll CSV import: preview the changes, then execute them (domain.md §9A)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.common import errors
from api.schemas.member_import import (
    DivisionToCreate,
    ImportExecuteRequest,
    ImportPreview,
    ImportPreviewRequest,
    ImportResult,
    ReviewOut,
    RowErrorOut,
    RowOut,
    UpdateOut,
)
from api.services import member_import
from shared.domain.auth import Level, Scope
from shared.domain.nominal_roll import DIVISION_NAMES

router = APIRouter(prefix="/api/members/import", tags=["members"])
Importer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.IMPORT_WRITE))]


@router.post("/preview", response_model=ImportPreview, responses=errors(422))
async def preview(
    body: ImportPreviewRequest, actor: Importer, session: SessionDep
) -> ImportPreview:
    """Show what the import would add, update, leave, review and which rows are wrong (Admin)."""
    parsed, plan, _ = await member_import.prepare(session, body.csv_text, body.exclude_rows)
    return ImportPreview(
        to_add=[RowOut.model_validate(r) for r in plan.to_add],
        to_update=[
            UpdateOut(
                member_id=u.member_id,
                line=u.row.line,
                service_number=u.row.service_number,
                changes=[c.describe() for c in u.changes],
            )
            for u in plan.to_update
        ],
        unchanged=len(plan.unchanged),
        to_review=[
            ReviewOut(
                member_id=m.id,
                service_number=m.service_number,
                rank=m.rank,
                last_name=m.last_name,
                first_name=m.first_name,
            )
            for m in plan.to_review
        ],
        divisions_to_create=[
            DivisionToCreate(code=c, name=DIVISION_NAMES.get(c, c), members=n)
            for c, n in sorted(plan.divisions_to_create.items())
        ],
        errors=[RowErrorOut.model_validate(e) for e in parsed.errors],
        blocking=parsed.blocking,
    )


@router.post("/execute", response_model=ImportResult, responses=errors(422))
async def execute(
    body: ImportExecuteRequest, actor: Importer, session: SessionDep, clock: ClockDep
) -> ImportResult:
    """Apply the import; refused (422) while rows with errors remain (Admin)."""
    result = await member_import.execute(
        session,
        actor,
        csv_text=body.csv_text,
        exclude_rows=body.exclude_rows,
        deactivate_ids=body.deactivate_ids,
        create_divisions=body.create_divisions,
        now=clock.now(),
    )
    return ImportResult(**result)
