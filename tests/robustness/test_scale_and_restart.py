"""Many peers on one socket, and a binder that goes away and comes back under load."""

from __future__ import annotations

import functools
import threading

import pytest

import purezmq as zmq
from tests.conftest import bind
from tests.helpers.waiting import wait_for

DEALERS = 200


def _settled(sock: zmq.Socket) -> dict[str, int]:
    """The socket's pipe statistics after it has run its pending commands."""
    sock.getsockopt(zmq.EVENTS)
    return sock._core.statistics()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_hundreds_of_dealers_on_one_router(ctx: zmq.Context, transport: str, ipc_dir: str) -> None:
    """200 DEALERs, one ROUTER: every reply reaches exactly the DEALER that asked.

    Then the DEALERs go away: the ROUTER drops every pipe, session and routing id,
    and still serves a newcomer.
    """
    router = ctx.socket(zmq.ROUTER)
    router.linger = 0
    router.rcvtimeo = 5000
    endpoint = bind(router, transport, ipc_dir)
    dealers = []
    for n in range(DEALERS):
        dealer = ctx.socket(zmq.DEALER)
        dealer.linger = 0
        dealer.rcvtimeo = 5000
        dealer.connect(endpoint)
        dealer.send(b"request %d" % n)
        dealers.append(dealer)

    routing_ids = set()
    for _ in range(DEALERS):
        routing_id, body = router.recv_multipart()
        routing_ids.add(routing_id)
        router.send_multipart([routing_id, b"reply to " + body])
    assert len(routing_ids) == DEALERS
    for n, dealer in enumerate(dealers):
        assert dealer.recv() == b"reply to request %d" % n
    assert _settled(router)["pipes"] == DEALERS

    for dealer in dealers:
        dealer.close()
    wait_for(lambda: _settled(router)["pipes"] == 0)
    wait_for(lambda: not router._engine.sessions)
    assert not router._core.out_pipes  # no routing id outlives its peer

    newcomer = ctx.socket(zmq.DEALER)
    newcomer.linger = 0
    newcomer.rcvtimeo = 5000
    newcomer.connect(endpoint)
    newcomer.send(b"late")
    routing_id, body = router.recv_multipart()
    assert body == b"late" and routing_id not in routing_ids
    router.send_multipart([routing_id, b"served"])
    assert newcomer.recv() == b"served"


# -- binder restart ------------------------------------------------------------------

SENDERS = 3
PER_PHASE = 300  # messages each sender must get through to each PULL
RESTARTS = 3


def _payload(sender: int, seq: int) -> bytes:
    """The body of message `seq` from `sender`: its size varies, short, long and big."""
    if seq % 97 == 0:
        return bytes([sender]) * 100_000  # a frame over 64 KiB: gathered in pieces
    return b"%d.%d;" % (sender, seq) * (seq % 300)


class _Sender(threading.Thread):
    """Sends [sender, seq, payload] on its own PUSH, as fast as the HWM lets it, until stopped."""

    def __init__(self, push: zmq.Socket, sender: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.push = push
        self.sender = sender
        self.stop = stop
        self.error: BaseException | None = None

    def run(self) -> None:
        seq = 0
        try:
            while not self.stop.is_set():
                try:
                    self.push.send_multipart(
                        [b"%d" % self.sender, b"%d" % seq, _payload(self.sender, seq)]
                    )
                except zmq.Again:  # SNDTIMEO: the PULL is gone, check `stop` and retry
                    continue
                seq += 1
        except BaseException as exc:
            self.error = exc


def _receive_phase(pull: zmq.Socket, last: list[int]) -> None:
    """Receive until every sender got PER_PHASE messages through; check each one.

    A message must have its three frames, the payload its number implies, and a
    number above the last one received from the same sender (gaps are allowed).
    """
    counts = [0] * SENDERS
    while min(counts) < PER_PHASE:
        frames = pull.recv_multipart()  # RCVTIMEO: raises Again if the senders stalled
        assert len(frames) == 3, [len(f) for f in frames]
        sender, seq = int(frames[0]), int(frames[1])
        assert frames[2] == _payload(sender, seq), (sender, seq)
        assert seq > last[sender], f"sender {sender}: {seq} after {last[sender]}"
        last[sender] = seq
        counts[sender] += 1


def _rebind(pull: zmq.Socket, endpoint: str) -> bool:
    # Closing a socket releases its listener asynchronously (so does libzmq's):
    # the address may still be in use for a moment.
    try:
        pull.bind(endpoint)
    except zmq.ZMQError as exc:
        assert exc.errno == zmq.EADDRINUSE, exc
        return False
    return True


def _pull(ctx: zmq.Context) -> zmq.Socket:
    pull: zmq.Socket = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = 5000
    return pull


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_binder_restart_under_load(ctx: zmq.Context, transport: str, ipc_dir: str) -> None:
    """The PULL is closed and a new one binds the same address while PUSHes keep sending
    (three times over).

    The PUSHes reconnect on their own; the new PULL gets messages from every one of
    them; every message is whole; each sender's numbers only go up (ZeroMQ may lose
    messages across the restart, never reorder or cut them).
    """
    first = _pull(ctx)
    endpoint = bind(first, transport, ipc_dir)  # tcp: the port is chosen here, reused below
    stop = threading.Event()
    senders = []
    for n in range(SENDERS):
        push = ctx.socket(zmq.PUSH)
        push.linger = 0
        push.reconnect_ivl = 10
        push.sndhwm = 100
        push.sndtimeo = 20
        push.connect(endpoint)
        senders.append(_Sender(push, n, stop))
    for sender in senders:
        sender.start()
    last = [-1] * SENDERS
    try:
        pull = first
        _receive_phase(pull, last)
        for _ in range(RESTARTS):
            pull.close()
            pull = _pull(ctx)
            wait_for(functools.partial(_rebind, pull, endpoint))
            _receive_phase(pull, last)
    finally:
        stop.set()
        for sender in senders:
            sender.join(10)
    assert not any(sender.is_alive() for sender in senders)
    assert [sender.error for sender in senders] == [None] * SENDERS
