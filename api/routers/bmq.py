"""BMQ courses and enrolments (domain.md §1.2, §12.13)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from api.deps import Actor, ClockDep, SessionDep, require_level
from api.schemas.bmq import (
    MAX_COURSE_DAYS,
    CourseCreate,
    CourseOut,
    CourseUpdate,
    EnrollmentCreate,
    EnrollmentOut,
    EnrollmentUpdate,
)
from api.schemas.common import errors
from api.services.audit import record_change, snapshot
from shared.domain.auth import Level, Scope
from shared.errors import InvalidInput
from shared.store import bmq as bmq_store

router = APIRouter(prefix="/api/bmq-courses", tags=["bmq"])
Reader = Annotated[Actor, Depends(require_level(Level.BASIC, scope=Scope.MEMBERS_READ))]
Writer = Annotated[Actor, Depends(require_level(Level.ADMIN, scope=Scope.MEMBERS_WRITE))]
COURSE_FIELDS = (
    "name",
    "start_on",
    "end_on",
    "training_start",
    "training_end",
    "training_days",
    "is_active",
)
ENROLLMENT_FIELDS = ("member_id", "course_id", "enrolled_at", "completed_at", "status")


def _course_values(body: CourseCreate | CourseUpdate) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True, exclude_none=True)  # all columns NOT NULL
    if "training_days" in values:
        values["training_days"] = [day.value for day in values["training_days"]]
    return values


@router.get("", response_model=list[CourseOut], responses=errors(422))
async def list_courses(
    actor: Reader, session: SessionDep, active_only: bool = False
) -> list[CourseOut]:
    """List courses, newest first."""
    courses = await bmq_store.list_courses(session, active_only=active_only)
    return [CourseOut.model_validate(c) for c in courses]


@router.get(
    "/members/{member_id}/enrollments", response_model=list[EnrollmentOut], responses=errors()
)
async def list_member_enrollments(
    member_id: UUID, actor: Reader, session: SessionDep
) -> list[EnrollmentOut]:
    """List one member's enrolments."""
    rows = await bmq_store.list_enrollments(session, member_id=member_id)
    return [EnrollmentOut.model_validate(e) for e in rows]


@router.put(
    "/enrollments/{enrollment_id}", response_model=EnrollmentOut, responses=errors(404, 422)
)
async def update_enrollment(
    enrollment_id: UUID, body: EnrollmentUpdate, actor: Writer, session: SessionDep
) -> EnrollmentOut:
    """Change an enrolment (Admin)."""
    enrollment = await bmq_store.get_enrollment(session, enrollment_id)
    before = snapshot(enrollment, ENROLLMENT_FIELDS)
    values = body.model_dump(exclude_unset=True)
    # Only completed_at may be cleared; a null elsewhere means "leave as is".
    values = {k: v for k, v in values.items() if v is not None or k == "completed_at"}
    if "status" in values:
        values["status"] = values["status"].value
    enrollment = await bmq_store.update_enrollment(session, enrollment_id, values)
    await record_change(
        session,
        actor,
        "bmq_enrollment_update",
        "bmq_enrollment",
        enrollment_id,
        before=before,
        after=snapshot(enrollment, ENROLLMENT_FIELDS),
    )
    return EnrollmentOut.model_validate(enrollment)


@router.delete("/enrollments/{enrollment_id}", status_code=204, responses=errors(404))
async def delete_enrollment(enrollment_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Remove an enrolment (Admin)."""
    enrollment = await bmq_store.get_enrollment(session, enrollment_id)
    before = snapshot(enrollment, ENROLLMENT_FIELDS)
    await bmq_store.delete_enrollment(session, enrollment_id)
    await record_change(
        session, actor, "bmq_enrollment_delete", "bmq_enrollment", enrollment_id, before=before
    )


@router.get("/{course_id}", response_model=CourseOut, responses=errors(404))
async def get_course(course_id: UUID, actor: Reader, session: SessionDep) -> CourseOut:
    """Return one course."""
    return CourseOut.model_validate(await bmq_store.get_course(session, course_id))


@router.post("", status_code=201, response_model=CourseOut, responses=errors(422))
async def create_course(body: CourseCreate, actor: Writer, session: SessionDep) -> CourseOut:
    """Create a course (Admin)."""
    course = await bmq_store.create_course(session, _course_values(body))
    await record_change(
        session,
        actor,
        "bmq_course_create",
        "bmq_course",
        course.id,
        after=snapshot(course, COURSE_FIELDS),
    )
    return CourseOut.model_validate(course)


@router.put("/{course_id}", response_model=CourseOut, responses=errors(404, 422))
async def update_course(
    course_id: UUID, body: CourseUpdate, actor: Writer, session: SessionDep
) -> CourseOut:
    """Change a course (Admin); dates and times must stay ordered."""
    course = await bmq_store.get_course(session, course_id)
    before = snapshot(course, COURSE_FIELDS)
    values = _course_values(body)
    start, end = values.get("start_on", course.start_on), values.get("end_on", course.end_on)
    first = values.get("training_start", course.training_start)
    last = values.get("training_end", course.training_end)
    if start >= end or first >= last:
        raise InvalidInput("invalid_course", "Dates and training times must be in order")
    if (end - start).days > MAX_COURSE_DAYS:
        raise InvalidInput("invalid_course", "A course is at most one year long")
    course = await bmq_store.update_course(session, course_id, values)
    await record_change(
        session,
        actor,
        "bmq_course_update",
        "bmq_course",
        course_id,
        before=before,
        after=snapshot(course, COURSE_FIELDS),
    )
    return CourseOut.model_validate(course)


@router.delete("/{course_id}", status_code=204, responses=errors(404))
async def delete_course(course_id: UUID, actor: Writer, session: SessionDep) -> None:
    """Delete a course and its enrolments (Admin)."""
    course = await bmq_store.get_course(session, course_id)
    before = snapshot(course, COURSE_FIELDS)
    await bmq_store.delete_course(session, course_id)
    await record_change(session, actor, "bmq_course_delete", "bmq_course", course_id, before=before)


@router.get("/{course_id}/enrollments", response_model=list[EnrollmentOut], responses=errors(404))
async def list_course_enrollments(
    course_id: UUID, actor: Reader, session: SessionDep
) -> list[EnrollmentOut]:
    """List a course's enrolments."""
    await bmq_store.get_course(session, course_id)
    rows = await bmq_store.list_enrollments(session, course_id=course_id)
    return [EnrollmentOut.model_validate(e) for e in rows]


@router.post(
    "/{course_id}/enrollments",
    status_code=201,
    response_model=EnrollmentOut,
    responses=errors(404, 409, 422),
)
async def enroll_member(
    course_id: UUID, body: EnrollmentCreate, actor: Writer, session: SessionDep, clock: ClockDep
) -> EnrollmentOut:
    """Enrol a member on a course (Admin); twice on one course is a 409."""
    values = {
        "member_id": body.member_id,
        "enrolled_at": body.enrolled_at or clock.now(),
        "status": body.status.value,
    }
    enrollment = await bmq_store.enroll(session, course_id, values)
    await record_change(
        session,
        actor,
        "bmq_enroll",
        "bmq_enrollment",
        enrollment.id,
        after=snapshot(enrollment, ENROLLMENT_FIELDS),
    )
    return EnrollmentOut.model_validate(enrollment)
