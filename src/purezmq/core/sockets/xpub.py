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

XPUB_MANUAL (libzmq): subscriptions from peers are delivered, every one, and not
applied; the application decides, with SUBSCRIBE/UNSUBSCRIBE on the XPUB, which
topics the peer of the message it last received gets. A peer that goes away is
unsubscribed from what it asked for, as an unsubscription message with no peer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from ..errors import EINVAL, CoreError
from ..option_ids import Opt
from ..options import check_value
from ..pipe import Msg, Pipe
from ..routing import Distributor
from ..socket_base import SocketBase, WouldBlock, require_int_flag
from ..trie import MultiTrie

STALLED_DROP_INTERVAL = 0.001


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
        # Messages for the application, each with the pipe it came from (None: none).
        self.pending: deque[tuple[Msg, Pipe | None]] = deque()
        self.verbose = 0  # XPUB_VERBOSE: every subscription, not only new topics
        self.verbose_unsubs = 0  # XPUB_VERBOSER: every unsubscription too
        self.nodrop = 0  # XPUB_NODROP: a full subscriber makes send fail (EAGAIN)
        self.invert = 0  # INVERT_MATCHING: send to the subscribers that do not match
        self.welcome = b""  # XPUB_WELCOME_MSG: sent to each new subscriber
        self.manual = 0  # XPUB_MANUAL: the application applies subscriptions
        self.asked: MultiTrie[Pipe] = MultiTrie()  # what each peer asked for (manual)
        self.last_pipe: Pipe | None = None  # the peer of the last message received
        # Messages some subscriber missed at its HWM, and what to do when it happens
        # (the facades let the I/O side run: it is the one that is behind). Called when
        # a drop is news: subscribers took messages since the last call (a send reached
        # every target, or a different number of them, or a full one drained). Drops that
        # are not news, a subscriber that does not read at all, call it at most every
        # STALLED_DROP_INTERVAL seconds of ``drop_clock``, so they cost next to nothing.
        self.dropped = 0
        self.on_drop: Callable[[], None] | None = None
        self.drop_clock: Callable[[], float] | None = None
        self.drop_news = True
        self.reached_at_drop = -1  # how many targets the last announced drop reached
        self.next_stalled_drop = 0.0

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.dist.attach(pipe)
        if self.welcome:
            pipe.write([self.welcome])
        self._drain(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.dist.terminated(pipe)
        if self.last_pipe is pipe:
            self.last_pipe = None
        gone = self.subscriptions.remove_pipe(pipe)
        if self.manual:
            gone = self.asked.remove_pipe(pipe, every=True)
        for topic in gone:
            self._deliver([b"\x00" + topic], None)

    def xread_activated(self, pipe: Pipe) -> None:
        self._drain(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        # A full subscriber drained: nothing waits for it, but a new drop is news again.
        self.drop_news = True

    def _drain(self, pipe: Pipe) -> None:
        """Apply every subscription waiting in ``pipe`` (libzmq reads them eagerly too)."""
        while (msg := pipe.read()) is not None:
            first = msg[0] if msg else b""
            if first[:1] == b"\x01":
                if self.manual:
                    self.asked.add(first[1:], pipe)
                    self._deliver(msg, pipe)
                elif self.subscriptions.add(first[1:], pipe) or self.verbose:
                    self._deliver(msg, pipe)
            elif first[:1] == b"\x00":
                if self.manual:
                    self.asked.remove(first[1:], pipe)
                    self._deliver(msg, pipe)
                elif self.subscriptions.remove(first[1:], pipe) or self.verbose_unsubs:
                    self._deliver(msg, pipe)
            else:
                self._deliver(msg, pipe)

    def _deliver(self, msg: Msg, pipe: Pipe | None) -> None:
        if self.delivers_upstream:
            self.pending.append((msg, pipe))

    def xsend(self, msg: Msg) -> None:
        targets = self.subscriptions.match(msg[0])
        if self.invert:
            matched = set(targets)
            targets = [pipe for pipe in self.dist.pipes if pipe not in matched]
        if self.nodrop and not self.dist.all_writable(targets):
            raise WouldBlock("a subscriber's queue is full (XPUB_NODROP)")
        if targets:
            reached = self.dist.send_to(msg, targets)
            if reached < len(targets):
                self.dropped += 1
                if self.on_drop is not None:
                    self._on_drop(reached)
            else:
                self.drop_news = True

    def _on_drop(self, reached: int) -> None:
        clock = self.drop_clock
        if self.drop_news or reached != self.reached_at_drop:
            self.drop_news = False
            self.reached_at_drop = reached
        elif clock is None or clock() < self.next_stalled_drop:
            return
        if clock is not None:
            self.next_stalled_drop = clock() + STALLED_DROP_INTERVAL
        self.on_drop()  # type: ignore[misc]

    def xlast_pipe(self) -> Pipe | None:
        return self.last_pipe

    def xrecv(self) -> Msg | None:
        if not self.pending:
            return None
        msg, pipe = self.pending.popleft()
        if self.manual:
            self.last_pipe = pipe
        return msg

    def xhas_in(self) -> bool:
        return bool(self.pending)

    def xhas_out(self) -> bool:
        return True

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option == Opt.XPUB_VERBOSE:
            # libzmq: VERBOSE passes every subscription and no redundant unsubscription.
            self.verbose = require_int_flag("XPUB_VERBOSE", value)
            self.verbose_unsubs = 0
        elif option == Opt.XPUB_VERBOSER:
            self.verbose = self.verbose_unsubs = require_int_flag("XPUB_VERBOSER", value)
        elif option == Opt.XPUB_NODROP:
            self.nodrop = require_int_flag("XPUB_NODROP", value)
        elif option == Opt.XPUB_MANUAL:
            self.manual = require_int_flag("XPUB_MANUAL", value)
        elif option in (Opt.SUBSCRIBE, Opt.UNSUBSCRIBE) and self.manual:
            if not isinstance(value, bytes):
                raise CoreError(EINVAL, "SUBSCRIBE and UNSUBSCRIBE take bytes")
            # Applied for the peer of the last message received; with none, ignored
            # (libzmq does the same).
            if self.last_pipe is not None:
                if option == Opt.SUBSCRIBE:
                    self.subscriptions.add(value, self.last_pipe)
                else:
                    self.subscriptions.remove(value, self.last_pipe)
        elif option == Opt.INVERT_MATCHING:
            self.invert = int(bool(check_value(Opt.INVERT_MATCHING, value) and value))
        elif option == Opt.XPUB_WELCOME_MSG:
            if not isinstance(value, bytes):
                raise CoreError(EINVAL, "socket option XPUB_WELCOME_MSG takes bytes")
            self.welcome = value
        else:
            return False
        return True

    def xgetsockopt(self, option: int) -> tuple[bool, Any]:
        values: dict[int, int] = {
            Opt.XPUB_VERBOSE: self.verbose,
            Opt.XPUB_VERBOSER: self.verbose_unsubs,
            Opt.XPUB_NODROP: self.nodrop,
            Opt.INVERT_MATCHING: self.invert,
            Opt.TOPICS_COUNT: len(self.subscriptions.prefixes()),
        }
        if option in values:
            return True, values[option]
        return False, None
