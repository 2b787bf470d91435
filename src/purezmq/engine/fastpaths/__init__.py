"""The engine's shortcuts: ways for a message to skip a hand-off that the general
mechanism would make, each a caller of that mechanism with its precondition in one
predicate (DESIGN.md "Engine state").

- ``direct_send``: a request or a reply goes from the socket's thread straight to the
  kernel, when nothing is queued before it.
- ``owner_read``: a sync socket's thread waiting in ``recv()`` reads and decodes what
  arrives on its connections itself.
- ``refill``: a sync socket's thread that empties its pipe decodes the next batch of
  held input itself, rather than waking the loop to do it.
- ``direct_receive``: a message decoded on an asyncio socket's loop goes straight to the
  ``recv()`` that waits for it, past the pipe and the wake-up.

Each can be switched off (``SWITCHES``), and the test suite runs with all of them off
too (``PUREZMQ_FASTPATHS=off``): the behaviour must be the same either way, only the
number of hand-offs differs. ``PUREZMQ_FASTPATHS`` takes ``off``, ``on``, or a comma
list of names to turn off (``-owner_read,-refill``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass
class Switches:
    """Which shortcuts are on (read each time a shortcut is considered)."""

    direct_send: bool = True
    owner_read: bool = True
    refill: bool = True
    direct_receive: bool = True

    def set_all(self, on: bool) -> None:
        for field in fields(self):
            setattr(self, field.name, on)


def _from_environment(text: str) -> Switches:
    switches = Switches()
    text = text.strip().lower()
    if text in ("off", "0", "no"):
        switches.set_all(False)
    for name in text.split(","):
        name = name.strip()
        if name.startswith("-") and hasattr(switches, name[1:]):
            setattr(switches, name[1:], False)
    return switches


SWITCHES = _from_environment(os.environ.get("PUREZMQ_FASTPATHS", "on"))

__all__ = ["SWITCHES", "Switches"]
