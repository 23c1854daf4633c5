"""Database layer: declarative base, async engine/session factory and the typed ORM models."""
