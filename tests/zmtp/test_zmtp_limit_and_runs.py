"""next_events(limit) and the decoder's loops for runs of short single-frame messages.

The fast paths (a loop for short final frames, a strided one for runs of equal size)
must give exactly what frame-by-frame decoding gives, whatever the sizes, the limit
and where the input is cut.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from purezmq.zmtp import (
    LocalProtocolError,
    Ping,
    Received,
    RemoteProtocolError,
    State,
    ZmtpConnection,
)
from tests.helpers.messages import as_lists
from tests.helpers.peer_pair import SPLIT_MODES, chunks, command, frame, handshake


def _ready_pull() -> ZmtpConnection:
    conn = ZmtpConnection("PULL")
    conn.receive_data(handshake("PUSH"))
    conn.next_events()
    assert conn.state is State.READY
    return conn


def _drain(conn: ZmtpConnection, limit: int) -> list[Received]:
    """Every event, asking for at most ``limit`` messages per call."""
    events: list[Received] = []
    while True:
        batch = conn.next_events(limit)
        events += batch
        if not conn.limited:
            return events


def _traffic(seed: int) -> tuple[bytes, list[Received]]:
    """Runs of equal short messages, odd sizes, multipart, long frames and PINGs."""
    rng = random.Random(seed)
    data = b""
    expected: list[Received] = []
    for _ in range(40):
        kind = rng.random()
        if kind < 0.5:  # a run of one size, long enough for the strided path or not
            size = rng.choice([0, 1, 16, 255, 256, 1024])
            long = rng.random() < 0.3  # long headers even for short sizes
            for i in range(rng.choice([1, 15, 16, 17, 100])):
                body = bytes((i % 251,)) * size
                data += frame(body, long=long)
                expected.append([body])
        elif kind < 0.7:
            body = bytes(rng.randrange(300))
            data += frame(body)
            expected.append([body])
        elif kind < 0.85:
            data += frame(b"a", more=True) + frame(b"b")
            expected.append([b"a", b"b"])
        else:
            data += command(b"PING", b"\x00\x0a")
            expected.append(Ping(10, b""))
    return data, expected


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limit", [-1, 1, 7, 16, 500])
@pytest.mark.parametrize("mode", SPLIT_MODES[::2])  # whole and random (bytewise is slow here)
def test_same_events_whatever_the_limit_and_the_cuts(seed: int, limit: int, mode: str) -> None:
    """Messages and commands come out in order, none lost or doubled."""
    data, expected = _traffic(seed)
    conn = _ready_pull()
    events: list[Received] = []
    for piece in chunks(data, mode, seed):
        conn.receive_data(piece)
        events += _drain(conn, limit)
    assert as_lists(events) == expected


def test_limit_counts_messages_not_commands() -> None:
    """At most ``limit`` messages per call; commands ride along; the rest stays buffered."""
    conn = _ready_pull()
    conn.receive_data(frame(b"1") + command(b"PING", b"\x00\x00") + frame(b"2") + frame(b"3"))
    first = conn.next_events(2)
    assert first == [(b"1",), Ping(0, b""), (b"2",)]
    assert conn.messages_returned == 2 and conn.limited
    assert conn.buffered_bytes == 3
    assert conn.next_events(2) == [(b"3",)]
    assert conn.messages_returned == 1 and not conn.limited


def test_eof_waits_for_the_messages_held_back() -> None:
    """A peer's EOF is reported only after every message before it was taken."""
    conn = _ready_pull()
    conn.receive_data(frame(b"x") * 20)
    conn.receive_data(b"")
    assert len(conn.next_events(15)) == 15
    rest = conn.next_events(15)
    assert rest[:5] == [(b"x",)] * 5
    assert conn.state is State.CLOSED


@pytest.mark.parametrize("size", [0, 3, 16, 200, 255])
def test_a_run_cut_short_by_a_different_size(size: int) -> None:
    """A run of equal frames ends at the first frame of another size or kind."""
    conn = _ready_pull()
    body = b"r" * size
    other = b"o" * ((size + 1) % 256)
    conn.receive_data(frame(body) * 40 + frame(other) + frame(body) * 3 + frame(b"m", more=True))
    events = conn.next_events()
    assert events == [(body,)] * 40 + [(other,)] + [(body,)] * 3
    conn.receive_data(frame(b"end"))
    assert conn.next_events() == [(b"m", b"end")]


@pytest.mark.parametrize("size", [0, 300, 1024, 65535])
def test_a_run_of_long_frames_cut_short_by_another_size_or_kind(size: int) -> None:
    """A run of equal long frames ends at a frame of another size, or of the same size
    with MORE set; the frames after it are decoded as ever."""
    conn = _ready_pull()
    body = bytes(range(256)) * (size // 256) + b"r" * (size % 256)
    other = b"o" * (size + 1)
    data = frame(body, long=True) * 20 + frame(other, long=True) + frame(body, long=True) * 17
    data += frame(body, more=True, long=True) + frame(body, long=True) * 16
    conn.receive_data(data)
    events = conn.next_events()
    assert events == [(body,)] * 20 + [(other,)] + [(body,)] * 17 + [(body, body)] + [(body,)] * 15


def test_a_run_of_long_frames_over_maxmsgsize_is_refused() -> None:
    """The run path keeps MAXMSGSIZE: a run of frames one octet too big is an error."""
    conn = ZmtpConnection("PULL", maxmsgsize=1023)
    conn.receive_data(handshake("PUSH"))
    conn.next_events()
    conn.receive_data(frame(b"x" * 1024) * 20)
    with pytest.raises(RemoteProtocolError):
        conn.next_events()


@pytest.mark.parametrize(
    "batch",
    [
        [[b"a" * (i % 256)] for i in range(300)],  # every short size, the C-speed encoder
        [[b"x"]] * 20 + [[b"y" * 256]] + [[b"z"]] * 20,  # one long frame: the loop
        [[b"x"]] * 20 + [[b"m", b"n"]] + [[b"z"]] * 20,  # one multipart message: the loop
        [(b"q" * 16,)] * 40,  # one short size throughout: the C-speed join
        [(b"",)] * 16,  # empty frames of one size (0)
        [(b"w" * 255,)] * 16,  # the largest short size
        [(b"v" * 256,)] * 16,  # one size, long frames: the join with a long header
        [(b"k" * 1024,)] * 20,  # as in a 1 KiB stream
        [(b"g" * 65536,)] * 16,  # large frames: the loop (sendmsg takes them unjoined)
        [(b"k" * 1024,)] * 20 + [(b"k" * 1025,)],  # one size but one: the loop
        [(b"x",)] * 20 + [(b"y",)] + [()] + [(b"m", b"n")],  # as many frames as messages
    ],
)
def test_send_messages_encodes_batches_like_one_by_one(batch: list[Sequence[bytes]]) -> None:
    """A batch is encoded exactly as the same messages sent one at a time."""
    whole, single = ZmtpConnection("PUSH"), ZmtpConnection("PUSH")
    for conn in (whole, single):
        conn.receive_data(handshake("PULL"))
        conn.next_events()
        conn.data_to_send()
    if any(not msg for msg in batch):
        with pytest.raises(LocalProtocolError):
            whole.send_messages(batch)
        batch = batch[: batch.index(())]
    else:
        whole.send_messages(batch)
    for msg in batch:
        single.send_message(msg)
    assert whole.data_to_send() == single.data_to_send()


def test_send_messages_refuses_an_empty_message_after_queueing_the_ones_before() -> None:
    """An empty message in a batch raises; the messages before it stay queued."""
    conn = ZmtpConnection("PUSH")
    conn.receive_data(handshake("PULL"))
    conn.next_events()
    conn.data_to_send()
    with pytest.raises(LocalProtocolError):
        conn.send_messages([[b"a"]] * 20 + [[]] + [[b"b"]])
    assert conn.data_to_send() == frame(b"a") * 20


def test_exhausted_says_when_asking_again_is_useless() -> None:
    """``exhausted``: everything complete was returned and no error waits; not when the
    limit stopped decoding, nor when a protocol error is due on the next call."""
    conn = _ready_pull()
    conn.receive_data(frame(b"one") + frame(b"two") + frame(b"thr")[:3])
    assert conn.next_events() == [(b"one",), (b"two",)]
    assert conn.exhausted
    assert conn.next_events() == []
    conn.receive_data(frame(b"thr")[3:] + frame(b"four"))
    assert conn.next_events(1) == [(b"thr",)]
    assert not conn.exhausted  # limited: [b"four"] is still there
    assert conn.next_events(1) == [(b"four",)]
    conn.receive_data(frame(b"five") + b"\xff" * 20)  # a frame, then invalid flags
    assert conn.next_events() == [(b"five",)]
    assert not conn.exhausted  # the error comes with the next call
    with pytest.raises(RemoteProtocolError):
        conn.next_events()


BIG = 300_000  # above HUGE_FRAME: read whole when it can be


def test_read_hint_asks_for_large_bodies_whole() -> None:
    """While a large frame arrives the hint is the rest of its body; a body that arrives
    as one read is handed out as that very bytes object (no copy); after a large frame,
    with nothing buffered, the hint is one header, so the next body starts a read."""
    conn = _ready_pull()
    assert conn.read_hint() == 0
    body = bytes(range(256)) * (BIG // 256)
    conn.receive_data(frame(body)[:9])  # the header alone
    assert conn.next_events() == []
    assert conn.read_hint() == len(body)
    conn.receive_data(body)
    [message] = conn.next_events()
    assert message[0] is body
    assert conn.read_hint() == 9
    # Its head in the same read as the header: the rest is asked for, then joined.
    data = frame(body)
    conn.receive_data(data[:1000])
    assert conn.next_events() == []
    assert conn.read_hint() == len(data) - 1000
    conn.receive_data(data[1000:])
    assert conn.next_events() == [(body,)]
    # A small frame ends it: reads take what the stream offers again.
    conn.receive_data(frame(b"small")[:9] + frame(b"next"))
    assert conn.next_events() == [(b"small",), (b"next",)]
    assert conn.read_hint() == 0


def test_read_hint_after_a_large_frame_with_bytes_buffered_completes_their_frame() -> None:
    """Bytes already buffered after a large frame: the next read asks for the rest of
    the frame they begin, then reads are plain ones."""
    conn = _ready_pull()
    body = b"b" * BIG
    data = frame(body)
    conn.receive_data(data[:9])
    conn.next_events()
    conn.receive_data(body + frame(b"tail")[:3])  # and part of the next frame
    assert conn.next_events() == [(body,)]
    assert conn.read_hint() == len(frame(b"tail")) - 3
    conn.receive_data(frame(b"tail")[3:])
    assert conn.next_events() == [(b"tail",)]
    assert conn.read_hint() == 0


@pytest.mark.parametrize("size", [5, 300, 60_000])
@pytest.mark.parametrize("cut", [1, 2, 5, 9])
def test_read_hint_asks_for_the_rest_of_a_partly_buffered_frame(size: int, cut: int) -> None:
    """A read that ended inside a frame: the next read asks for just the rest of that
    frame (first of its header, if the header itself is cut), so the read after it
    starts at a frame boundary and is decoded as it came, with no copy of it to join
    the tail; with whole frames buffered, or nothing, any amount."""
    conn = _ready_pull()
    data = frame(b"x" * size)
    cut = min(cut, len(data) - 1)
    conn.receive_data(frame(b"whole") + data[:cut])
    assert conn.next_events() == [(b"whole",)]
    header = 2 if size < 256 else 9
    hint = conn.read_hint()
    assert hint == (header - cut if cut < header else len(data) - cut)
    got = cut
    while hint:
        conn.receive_data(data[got : got + hint])
        got += hint
        hint = conn.read_hint()
    assert got == len(data)
    assert conn.next_events() == [(b"x" * size,)]
    assert conn.read_hint() == 0


def test_read_hint_leaves_frames_below_huge_to_shared_reads() -> None:
    """A large frame below HUGE_FRAME is gathered from reads of any size: no hint."""
    conn = _ready_pull()
    body = b"m" * 100_000
    data = frame(body)
    conn.receive_data(data[:9])
    assert conn.next_events() == []
    assert conn.read_hint() == 0
    conn.receive_data(data[9:])
    assert conn.next_events() == [(body,)]
    assert conn.read_hint() == 0
