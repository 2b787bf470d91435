"""XPUB (RFC 29): PUB that hands subscriptions to the application.

General behavior:
- MAY be connected to any number of SUB or XSUB peers.
For processing outgoing messages:
- SHALL send a message to every peer with a subscription that is a prefix of the
  message's first frame; SHALL silently drop the message for a peer whose queue is
  full (it never blocks).
For processing incoming messages:
- SHALL treat a message starting with 0x01 as a subscription and 0x00 as an
  unsubscription, and apply it to that peer's filter.
- SHALL deliver to the application each new subscription (the first for its topic,
  or every one with XPUB_VERBOSE) and each unsubscription that removes a topic's
  last subscriber; other messages from peers are delivered as they are.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from ..errors import EINVAL, CoreError
from ..pipe import Msg, Pipe
from ..routing import Distributor
from ..socket_base import SocketBase, WouldBlock, require_int_flag
from ..trie import MultiTrie

XPUB_VERBOSE = 40
XPUB_NODROP = 69
XPUB_WELCOME_MSG = 72
INVERT_MATCHING = 74
XPUB_VERBOSER = 78


class XPub(SocketBase):
    type_id = 9
    type_name = "XPUB"
    receives_subscriptions = True
    # PUB drops what an XPUB would hand to the application.
    delivers_upstream = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.dist = Distributor()
        self.subscriptions: MultiTrie[Pipe] = MultiTrie()
        self.pending: deque[Msg] = deque()
        self.verbose = 0  # XPUB_VERBOSE: every subscription, not only new topics
        self.verbose_unsubs = 0  # XPUB_VERBOSER: every unsubscription too
        self.nodrop = 0  # XPUB_NODROP: a full subscriber makes send fail (EAGAIN)
        self.invert = 0  # INVERT_MATCHING: send to the subscribers that do not match
        self.welcome = b""  # XPUB_WELCOME_MSG: sent to each new subscriber
        # Messages some subscriber missed at its HWM, and what to do when it happens
        # (the sync facade lets the I/O thread run: it is the one that is behind).
        self.dropped = 0
        self.on_drop: Callable[[], None] | None = None

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.dist.attach(pipe)
        if self.welcome:
            pipe.write([self.welcome])
        self._drain(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.dist.terminated(pipe)
        for topic in self.subscriptions.remove_pipe(pipe):
            if self.delivers_upstream:
                self.pending.append([b"\x00" + topic])

    def xread_activated(self, pipe: Pipe) -> None:
        self._drain(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass  # a full subscriber misses messages; nothing waits for it

    def _drain(self, pipe: Pipe) -> None:
        """Apply every subscription waiting in ``pipe`` (libzmq reads them eagerly too)."""
        while (msg := pipe.read()) is not None:
            first = msg[0] if msg else b""
            if first[:1] == b"\x01":
                new = self.subscriptions.add(first[1:], pipe)
                if new or self.verbose:
                    self._deliver(msg)
            elif first[:1] == b"\x00":
                if self.subscriptions.remove(first[1:], pipe) or self.verbose_unsubs:
                    self._deliver(msg)
            else:
                self._deliver(msg)

    def _deliver(self, msg: Msg) -> None:
        if self.delivers_upstream:
            self.pending.append(msg)

    def xsend(self, msg: Msg) -> None:
        targets = self.subscriptions.match(msg[0])
        if self.invert:
            matched = set(targets)
            targets = [pipe for pipe in self.dist.pipes if pipe not in matched]
        if self.nodrop and not self.dist.all_writable(targets):
            raise WouldBlock("a subscriber's queue is full (XPUB_NODROP)")
        if targets and self.dist.send_to(msg, targets) < len(targets):
            self.dropped += 1
            if self.on_drop is not None:
                self.on_drop()

    def xrecv(self) -> Msg:
        if not self.pending:
            raise WouldBlock("no subscription is waiting")
        return self.pending.popleft()

    def xhas_in(self) -> bool:
        return bool(self.pending)

    def xhas_out(self) -> bool:
        return True

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == XPUB_VERBOSE:
            # libzmq: VERBOSE passes every subscription and no redundant unsubscription.
            self.verbose = require_int_flag("XPUB_VERBOSE", value)
            self.verbose_unsubs = 0
        elif option == XPUB_VERBOSER:
            self.verbose = self.verbose_unsubs = require_int_flag("XPUB_VERBOSER", value)
        elif option == XPUB_NODROP:
            self.nodrop = require_int_flag("XPUB_NODROP", value)
        elif option == INVERT_MATCHING:
            self.invert = require_int_flag("INVERT_MATCHING", value)
        elif option == XPUB_WELCOME_MSG:
            if not isinstance(value, bytes):
                raise CoreError(EINVAL, "socket option XPUB_WELCOME_MSG takes bytes")
            self.welcome = value
        else:
            return False
        return True

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        values = {
            XPUB_VERBOSE: self.verbose,
            XPUB_VERBOSER: self.verbose_unsubs,
            XPUB_NODROP: self.nodrop,
            INVERT_MATCHING: self.invert,
        }
        if option in values:
            return True, values[option]
        return False, None
