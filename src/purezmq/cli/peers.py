"""How a socket type shows what it receives and frames what it sends.

Most types take and give messages as they are. A ROUTER shows each message with
the routing id of the peer it came from, and sends each message to the peer it
names; one that names none goes back to the peer heard from last, with the
envelope that peer's message had (its routing id, and for a REQ peer the empty
delimiter too), so typing a reply answers the last request. An XPUB shows the
subscriptions it receives as such.
"""

from __future__ import annotations

from collections.abc import Callable

from .format import Shown

_KINDS = {b"\x01": "subscribe", b"\x00": "unsubscribe"}


class Peer:
    """Messages as they are, both ways."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self.warn = warn

    def view(self, frames: list[bytes]) -> Shown:
        """What to print for a received message."""
        return Shown(tuple(frames))

    def address(self, msg: Shown) -> list[bytes] | None:
        """The frames to send for ``msg``; None when it has nowhere to go."""
        return list(msg.frames)

    def unreachable(self, msg: Shown) -> None:
        """``msg`` was for a peer that is not connected."""
        self.warn("no such peer: message dropped")


class XPubPeer(Peer):
    """XPUB: a one-frame message starting with 1 or 0 is a (un)subscription."""

    def view(self, frames: list[bytes]) -> Shown:
        kind = _KINDS.get(frames[0][:1]) if len(frames) == 1 else None
        if kind is None:
            return Shown(tuple(frames))
        return Shown((frames[0][1:],), kind=kind)


class RouterPeer(Peer):
    """ROUTER: routing ids shown and used; replies go to the last peer by default."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        super().__init__(warn)
        self.envelope: list[bytes] | None = None

    def view(self, frames: list[bytes]) -> Shown:
        try:
            end = frames.index(b"", 1) + 1  # a REQ's envelope ends with an empty frame
        except ValueError:
            end = 1
        self.envelope = frames[:end]
        return Shown(tuple(frames[1:]), routing_id=frames[0])

    def address(self, msg: Shown) -> list[bytes] | None:
        if msg.routing_id is not None:
            return [msg.routing_id, *msg.frames]
        if self.envelope is None:
            self.warn("no peer has sent anything yet: start the message with [ROUTING-ID]")
            return None
        return [*self.envelope, *msg.frames]

    def unreachable(self, msg: Shown) -> None:
        rid = msg.routing_id.hex() if msg.routing_id is not None else self._last_id()
        self.warn(f"no peer [{rid}]: message dropped")

    def _last_id(self) -> str:
        return self.envelope[0].hex() if self.envelope else "?"
