"""Shapes shared by many endpoints: pages, paging parameters and error responses."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict

from api.errors import ErrorBody

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    page_size: int


class Paging(BaseModel):
    """Which page to return."""

    page: int
    page_size: int

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.page_size


def _paging(
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Paging:
    return Paging(page=page, page_size=page_size)


PagingDep = Annotated[Paging, Depends(_paging)]


class Body(BaseModel):
    """Base of every request body: unknown fields are refused (style.md §5)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    """Base of every response body read from rows."""

    model_config = ConfigDict(from_attributes=True)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare the error responses of a route (style.md §6)."""
    return {status: {"model": ErrorBody} for status in (401, 403, *statuses)}
