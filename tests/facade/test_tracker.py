"""MessageTracker as pyzmq's: a tracked message is done once nothing in the process
holds it any more (written to the kernel, dropped, or released by an inproc receiver),
and a tracked Frame keeps its tracker pending for as long as the frame lives."""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
import socket
from collections.abc import Iterator

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq.sugar.tracker import _FINISHED_TRACKER, MessageTracker

BIG = 100_000  # over the default copy_threshold (65536): pyzmq would not copy it


def _free_tcp_endpoint() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


def test_zero_copy_frame_is_pending_until_released() -> None:
    frame = zmq.Frame(b"asdf", copy=False, track=True)
    tracker = MessageTracker(frame)
    assert frame.tracker is not None and not frame.tracker.done
    assert frame.tracker_event is not None and not frame.tracker_event.is_set()
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.01)
    del frame
    gc.collect()
    assert tracker.done
    assert tracker.wait(0) is None


def test_fast_copy_keeps_the_tracker_pending() -> None:
    frame = zmq.Frame(b"shared", copy=False, track=True)
    tracker = frame.tracker
    assert tracker is not None
    twin = copy.copy(frame)
    del frame
    gc.collect()
    assert not tracker.done
    del twin
    gc.collect()
    assert tracker.done


@pytest.mark.parametrize(
    ("kwargs", "finished"),
    [
        ({}, True),  # under COPY_THRESHOLD: pyzmq copies it
        ({"copy": True}, True),
        ({"copy": False}, False),
        ({"copy_threshold": 0}, False),
        ({"copy_threshold": 3}, False),
        ({"copy_threshold": 5}, True),
    ],
)
def test_frame_tracker_is_real_only_where_pyzmq_shares_the_buffer(
    kwargs: dict[str, object], finished: bool
) -> None:
    frame = zmq.Frame(b"four", track=True, **kwargs)  # type: ignore[arg-type]
    assert (frame.tracker is _FINISHED_TRACKER) is finished
    assert frame.bytes == b"four"


def test_big_frame_is_tracked_by_default() -> None:
    frame = zmq.Frame(bytearray(BIG), track=True)
    assert frame.tracker is not None and not frame.tracker.done


def test_tracked_content_pickles_as_plain_bytes() -> None:
    frame = zmq.Frame(b"content", copy=False, track=True)
    assert type(pickle.loads(pickle.dumps(frame.bytes))) is bytes


@pytest.fixture
def push(ctx: zmq.Context) -> Iterator[zmq.Socket[bytes]]:
    """A PUSH socket with a PULL peer over inproc (so that sends never wait)."""
    push, pull = ctx.socket(zmq.PUSH), ctx.socket(zmq.PULL)
    push.bind("inproc://tracker-push")
    pull.connect("inproc://tracker-push")
    yield push
    pull.close()


def test_send_with_copy_returns_none_even_when_tracked(push: zmq.Socket[bytes]) -> None:
    assert push.send(b"x", track=True) is None
    assert push.send_multipart([b"x"], track=True) is None


def test_small_zero_copy_send_is_done_at_once(push: zmq.Socket[bytes]) -> None:
    assert push.send(b"x", copy=False, track=True) is _FINISHED_TRACKER
    assert push.send(b"x", copy=False) is _FINISHED_TRACKER


def test_untracked_frame_with_track_is_refused(push: zmq.Socket[bytes]) -> None:
    with pytest.raises(ValueError, match="Not a tracked message"):
        push.send(zmq.Frame(b"x"), copy=False, track=True)
    with pytest.raises(ValueError, match="Not a tracked message"):
        push.send_multipart([b"a", zmq.Frame(b"x")], copy=False, track=True)


def test_tcp_send_is_done_once_written(ctx: zmq.Context) -> None:
    """Queued while nobody listens (pending), done once the peer got it."""
    endpoint = _free_tcp_endpoint()
    push = ctx.socket(zmq.PUSH, copy_threshold=0)
    push.connect(endpoint)
    tracker = push.send_multipart([b"something", b"else"], copy=False, track=True)
    big = push.send(b"b" * 4_000_000, copy=False, track=True)
    assert not tracker.done and not big.done
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.05)
    pull = ctx.socket(zmq.PULL)
    pull.bind(endpoint)
    assert pull.recv_multipart() == [b"something", b"else"]
    assert len(pull.recv()) == 4_000_000
    tracker.wait(10)
    big.wait(10)


def test_tracked_frame_sent_twice_waits_for_the_frame(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    endpoint = f"tcp://127.0.0.1:{pull.bind_to_random_port('tcp://127.0.0.1')}"
    push = ctx.socket(zmq.PUSH)
    push.connect(endpoint)
    frame = zmq.Frame(b"again", copy=False, track=True)
    first, second = push.send(frame), push.send(frame, copy=False)
    assert first is second is frame.tracker
    assert first is not None
    assert pull.recv() == b"again" and pull.recv() == b"again"
    assert not first.done
    del frame
    gc.collect()
    first.wait(10)


def test_message_dropped_on_close_is_done(ctx: zmq.Context) -> None:
    push = ctx.socket(zmq.PUSH, copy_threshold=0)
    push.connect(_free_tcp_endpoint())
    tracker = push.send(b"never delivered", copy=False, track=True)
    assert not tracker.done
    push.close(linger=0)
    tracker.wait(10)


def test_inproc_send_is_done_when_the_receiver_lets_go(ctx: zmq.Context) -> None:
    left, right = ctx.socket(zmq.PAIR, copy_threshold=0), ctx.socket(zmq.PAIR)
    left.bind("inproc://tracked")
    right.connect("inproc://tracked")
    tracker = left.send(b"hand over", copy=False, track=True)
    assert not tracker.done
    received = right.recv()
    assert received == b"hand over"
    assert not tracker.done
    del received
    gc.collect()
    assert tracker.done


def test_received_frame_with_track_has_the_finished_tracker(ctx: zmq.Context) -> None:
    left, right = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    left.bind("inproc://received")
    right.connect("inproc://received")
    left.send(b"a")
    left.send(b"b")
    assert right.recv(copy=False, track=True).tracker is _FINISHED_TRACKER
    assert right.recv(copy=False).tracker is None


def test_asyncio_send_resolves_to_the_tracker() -> None:
    """pyzmq's asyncio send resolves to what the sync send returns."""

    async def main() -> None:
        actx = azmq.Context()
        left, right = actx.socket(zmq.PAIR), actx.socket(zmq.PAIR)
        left.copy_threshold = 0
        left.bind("inproc://async-tracked")
        right.connect("inproc://async-tracked")
        tracker = await left.send(b"tracked", copy=False, track=True)
        last = await left.send_multipart([b"a", b"b"], copy=False, track=True)
        assert await left.send(b"copied", track=True) is None
        assert isinstance(tracker, MessageTracker) and not tracker.done
        received = await right.recv()
        assert received == b"tracked"
        del received
        gc.collect()
        assert tracker.done
        assert await right.recv_multipart() == [b"a", b"b"]
        assert last.done
        actx.destroy(linger=0)

    asyncio.run(main())
