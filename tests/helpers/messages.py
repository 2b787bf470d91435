"""Decoded events with their messages as lists, to compare with readable literals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def as_lists(events: Iterable[Any]) -> list[Any]:
    """``events`` with each message (a tuple of frames) as a list; other events as they are."""
    return [list(event) if type(event) is tuple else event for event in events]
