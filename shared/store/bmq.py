"""BMQ courses and enrolments: CRUD and the active-enrolment lookup reports use (§1.2)."""

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.models import BmqCourse, BmqEnrollment, Member
from shared.errors import Conflict, NotFound


async def list_courses(session: AsyncSession, *, active_only: bool = False) -> list[BmqCourse]:
    """Return courses, newest first."""
    query = select(BmqCourse).order_by(BmqCourse.start_on.desc(), BmqCourse.name)
    if active_only:
        query = query.where(BmqCourse.is_active)
    return list(await session.scalars(query))


async def get_course(session: AsyncSession, course_id: uuid.UUID) -> BmqCourse:
    """Return the course or raise `NotFound`."""
    course = await session.get(BmqCourse, course_id)
    if course is None:
        raise NotFound("bmq_course_not_found", "No such BMQ course", {"id": str(course_id)})
    return course


async def create_course(session: AsyncSession, values: dict[str, Any]) -> BmqCourse:
    """Insert a course."""
    course = BmqCourse(id=uuid.uuid4(), **values)
    session.add(course)
    await session.flush()
    await session.refresh(course)
    return course


async def update_course(
    session: AsyncSession, course_id: uuid.UUID, values: dict[str, Any]
) -> BmqCourse:
    """Change a course's fields."""
    course = await get_course(session, course_id)
    for name, value in values.items():
        setattr(course, name, value)
    course.updated_at = func.now()  # SQL expression, evaluated on flush
    await session.flush()
    await session.refresh(course)
    return course


async def delete_course(session: AsyncSession, course_id: uuid.UUID) -> None:
    """Delete a course and its enrolments."""
    await get_course(session, course_id)
    await session.execute(delete(BmqCourse).where(BmqCourse.id == course_id))


async def list_enrollments(
    session: AsyncSession,
    *,
    course_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
) -> list[BmqEnrollment]:
    """Return enrolments of a course or of a member."""
    query = select(BmqEnrollment).order_by(BmqEnrollment.enrolled_at)
    if course_id is not None:
        query = query.where(BmqEnrollment.course_id == course_id)
    if member_id is not None:
        query = query.where(BmqEnrollment.member_id == member_id)
    return list(await session.scalars(query))


async def get_enrollment(session: AsyncSession, enrollment_id: uuid.UUID) -> BmqEnrollment:
    """Return the enrolment or raise `NotFound`."""
    enrollment = await session.get(BmqEnrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("bmq_enrollment_not_found", "No such enrolment", {"id": str(enrollment_id)})
    return enrollment


async def enroll(
    session: AsyncSession, course_id: uuid.UUID, values: dict[str, Any]
) -> BmqEnrollment:
    """Enrol a member; enrolling twice on one course is a `Conflict`."""
    await get_course(session, course_id)
    member_id = values["member_id"]
    if await session.get(Member, member_id) is None:
        raise NotFound("member_not_found", "No such member", {"id": str(member_id)})
    enrollment = BmqEnrollment(id=uuid.uuid4(), course_id=course_id, **values)
    session.add(enrollment)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "already_enrolled",
            "The member is already on this course",
            {"member_id": str(member_id)},
        ) from exc
    await session.refresh(enrollment)
    return enrollment


async def update_enrollment(
    session: AsyncSession, enrollment_id: uuid.UUID, values: dict[str, Any]
) -> BmqEnrollment:
    """Change an enrolment's status or dates."""
    enrollment = await get_enrollment(session, enrollment_id)
    for name, value in values.items():
        setattr(enrollment, name, value)
    await session.flush()
    return enrollment


async def delete_enrollment(session: AsyncSession, enrollment_id: uuid.UUID) -> None:
    """Remove an enrolment."""
    await get_enrollment(session, enrollment_id)
    await session.execute(delete(BmqEnrollment).where(BmqEnrollment.id == enrollment_id))


async def members_on_active_courses(
    session: AsyncSession, member_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Return which of `member_ids` are enrolled on an active course (the report's BMQ badge)."""
    rows = await session.scalars(
        select(BmqEnrollment.member_id)
        .join(BmqCourse, BmqCourse.id == BmqEnrollment.course_id)
        .where(
            BmqCourse.is_active,
            BmqEnrollment.status == "enrolled",
            BmqEnrollment.member_id.in_(member_ids),
        )
    )
    return set(rows)
