"""Bodies of the health endpoints."""

from pydantic import BaseModel


class Health(BaseModel):
    """Liveness."""

    status: str


class Readiness(BaseModel):
    """Readiness with each dependency's state."""

    status: str
    database: bool
    broker: bool
