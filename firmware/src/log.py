"""Prints one-line log records `<L> <ticks> <tag> <event> k=v...`; never prints secrets."""

import time

_level = 20


def set_level(name: str) -> None:
    """Set the minimum level by name (debug, info, warn, error)."""
    global _level
    _level = {"debug": 10, "info": 20, "warn": 30, "error": 40}.get(name, 20)


def _emit(letter: str, tag: str, event: str, detail: str) -> None:
    if detail:
        print(letter, time.ticks_ms(), tag, event, detail)
    else:
        print(letter, time.ticks_ms(), tag, event)


def debug(tag: str, event: str, detail: str = "") -> None:
    """Log a hot-path detail (off by default)."""
    if _level <= 10:
        _emit("D", tag, event, detail)


def info(tag: str, event: str, detail: str = "") -> None:
    """Log a lifecycle event."""
    if _level <= 20:
        _emit("I", tag, event, detail)


def warn(tag: str, event: str, detail: str = "") -> None:
    """Log a handled anomaly."""
    if _level <= 30:
        _emit("W", tag, event, detail)


def error(tag: str, event: str, detail: str = "") -> None:
    """Log a failure a person must look at."""
    _emit("E", tag, event, detail)


def exc(tag: str, event: str, e: BaseException) -> None:
    """Log an unexpected exception with its type and message (no traceback, no payloads)."""
    _emit("E", tag, event, "exc=%s msg=%s" % (type(e).__name__, str(e)[:120]))
