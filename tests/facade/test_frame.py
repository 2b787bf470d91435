"""Frame and MessageTracker, with pyzmq's classes as the oracle where behaviour is shared."""

from __future__ import annotations

import array
import copy
import gc
import hashlib
import importlib.util
import io
import json
import pickle
import struct
import subprocess
import sys
import textwrap
import threading
import weakref

import pytest
import zmq
from tests.sockets.harness import APIS, Env, scenario

import purezmq
from purezmq.constants import MORE, SHARED, SRCFD, Errno
from purezmq.error import NotDone, ZMQError
from purezmq.sugar import frame as frame_module
from purezmq.sugar.frame import Frame, Message
from purezmq.sugar.tracker import _FINISHED_TRACKER, MessageTracker

CONTENTS = [
    b"",
    b"abc",
    bytearray(b"mutable"),
    memoryview(b"abcdef")[1:4],
    array.array("i", [1, 2]),
    b"x" * 100_000,
]


@pytest.mark.parametrize("data", CONTENTS, ids=lambda d: f"{type(d).__name__}-{len(bytes(d))}")
def test_content_matches_pyzmq(data: bytes) -> None:
    ours, theirs = Frame(data), zmq.Frame(data)
    assert ours.bytes == theirs.bytes
    assert bytes(ours) == theirs.bytes
    assert len(ours) == len(theirs)
    assert ours.buffer.tobytes() == theirs.buffer.tobytes()


def test_no_data_is_empty() -> None:
    assert Frame().bytes == b""
    assert Frame(None).bytes == b""
    assert len(Frame()) == 0


@pytest.mark.parametrize("bad", ["text", 12, [1, 2], 1.5])
def test_rejects_what_pyzmq_rejects(bad: object) -> None:
    with pytest.raises(TypeError):
        zmq.Frame(bad)
    with pytest.raises(TypeError):
        Frame(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "strided",
    [memoryview(bytearray(10))[::2], memoryview(b"abcd")[::-1], memoryview(b"")[::2]],
    ids=["every-other", "reversed", "empty-strided"],
)
def test_non_contiguous_buffer_is_a_buffer_error(strided: memoryview) -> None:
    """pyzmq's test_bad_buffer_in: libzmq needs the octets in one piece."""
    with pytest.raises(BufferError):
        zmq.Frame(strided)
    with pytest.raises(BufferError, match="contiguous"):
        Frame(strided)


def test_fortran_ordered_buffer_keeps_memory_order() -> None:
    """A column-major 2x3 array's octets go as they lie in memory, as with pyzmq."""
    numpy = pytest.importorskip("numpy")
    array = numpy.asfortranarray(numpy.arange(6, dtype="u1").reshape(2, 3))
    assert Frame(array).bytes == zmq.Frame(array).bytes == bytes([0, 3, 1, 4, 2, 5])


def test_str_error_message() -> None:
    with pytest.raises(TypeError, match="Str objects not allowed"):
        Frame("text")  # type: ignore[arg-type]


def test_bytes_are_kept_without_a_copy() -> None:
    data = b"payload" * 1000
    assert Frame(data).bytes is data


@pytest.mark.parametrize("copy_arg", [True, False, None])
def test_buffer_is_copied_at_construction(copy_arg: bool | None) -> None:
    """The caller may reuse its buffer at once, whatever `copy` says (the tracker still
    follows pyzmq's rule: see test_tracker.py)."""
    data = bytearray(b"hello" * 100_000)
    frame = Frame(data, copy=copy_arg, track=True)
    data[0:5] = b"HELLO"
    assert frame.bytes[:5] == b"hello"
    assert frame.tracker is not None


def test_buffer_is_a_read_only_view() -> None:
    view = Frame(b"abc").buffer
    assert isinstance(view, memoryview)
    assert view.readonly
    assert view.tobytes() == b"abc"


def test_buffer_is_cached_while_in_use() -> None:
    """pyzmq's test_buffer_out: the same view each time (pyzmq keeps it weakly)."""
    frame = Frame(b"content")
    view = frame.buffer
    assert frame.buffer is view
    assert frame.buffer is frame.buffer
    assert frame.fast_copy().buffer is view


def test_buffer_is_not_kept_alive_by_the_frame() -> None:
    frame = Frame(b"content")
    gone = weakref.ref(frame.buffer)
    gc.collect()
    assert gone() is None
    assert frame.buffer.tobytes() == b"content"


# A frame is a buffer, on every Python


def test_memoryview_of_frame() -> None:
    view = memoryview(Frame(b"abc"))
    assert view.tobytes() == b"abc"
    assert (view.format, view.ndim, view.shape, view.itemsize) == ("B", 1, (3,), 1)
    assert view.readonly


@pytest.mark.parametrize("data", CONTENTS, ids=lambda d: f"{type(d).__name__}-{len(bytes(d))}")
def test_memoryview_shape_matches_pyzmq(data: bytes) -> None:
    """pyzmq's test_memoryview_shape: one dimension of octets, whatever went in."""
    ours, theirs = Frame(data), zmq.Frame(data)
    for view, expected in ((memoryview(ours), memoryview(theirs)), (ours.buffer, theirs.buffer)):
        assert view.tobytes() == expected.tobytes()
        assert (view.format, view.ndim, view.shape) == (expected.format, 1, expected.shape)
        assert view.itemsize == expected.itemsize == 1


def test_multidimensional_input_is_flat() -> None:
    numpy = pytest.importorskip("numpy")
    array = numpy.arange(12, dtype="<f8").reshape(3, 4)
    for frame in (Frame(array), zmq.Frame(array)):
        assert memoryview(frame).shape == frame.buffer.shape == (96,)
        assert numpy.array_equal(numpy.frombuffer(frame, "<f8").reshape(3, 4), array)


def test_buffer_consumers_read_the_frame() -> None:
    frame = Frame(struct.pack("<IH", 7, 9) + b"tail")
    assert struct.unpack_from("<IH", frame) == (7, 9)
    assert struct.unpack_from("4s", frame, 6) == (b"tail",)
    assert b"".join([frame, frame]) == frame.bytes * 2
    assert bytearray(frame) == frame.bytes
    assert hashlib.sha256(frame).digest() == hashlib.sha256(frame.bytes).digest()
    assert bytes(frame) is frame.bytes


def test_numpy_frombuffer() -> None:
    numpy = pytest.importorskip("numpy")
    values = numpy.array([1.5, -2.0, 3.25], dtype=">f4")
    frame = Frame(values.tobytes())
    assert numpy.array_equal(numpy.frombuffer(frame, ">f4"), values)
    assert not numpy.frombuffer(frame, ">f4").flags.writeable


def test_view_shares_the_frames_bytes() -> None:
    """No copy: the view's memory is the frame's bytes (checked by address)."""
    numpy = pytest.importorskip("numpy")
    frame = Frame(b"x" * 4096)
    address = numpy.frombuffer(frame.bytes, "u1").ctypes.data
    assert numpy.frombuffer(frame, "u1").ctypes.data == address
    assert numpy.frombuffer(frame.buffer, "u1").ctypes.data == address


def test_what_a_view_refers_to() -> None:
    """frame.buffer views the frame's bytes; so does memoryview(frame) before 3.12.

    From 3.12 memoryview(frame).obj is a wrapper CPython puts around __buffer__'s view.
    """
    frame = Frame(b"content")
    assert frame.buffer.obj is frame.bytes
    if sys.version_info < (3, 12):
        assert memoryview(frame).obj is frame.bytes


def test_frame_cannot_be_written_through() -> None:
    frame = Frame(b"constant")
    with pytest.raises(TypeError):
        memoryview(frame)[0] = 0
    with pytest.raises(TypeError):
        io.BytesIO(b"changed!").readinto(frame)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        struct.pack_into("B", frame, 0, 1)  # type: ignore[arg-type]
    assert frame.bytes == b"constant"


def test_a_view_outlives_its_frame() -> None:
    frame = Frame(bytearray(b"abc"))
    view = memoryview(frame)
    del frame
    gc.collect()
    assert view.tobytes() == b"abc"


def test_more_flag() -> None:
    frame = Frame(b"part")
    assert frame.more is False
    assert frame.get(MORE) == zmq.Frame(b"part").get(zmq.MORE) == 0
    frame.more = True
    assert frame.get(MORE) == 1
    assert frame[MORE] == 1


def test_shared_after_fast_copy() -> None:
    original = Frame(b"content")
    assert original.get(SHARED) == 0
    twin = original.fast_copy()
    assert twin.get(SHARED) == original.get(SHARED) == 1


@pytest.mark.parametrize("option", [SRCFD, 99, -1])
def test_unavailable_options_are_einval(option: int) -> None:
    with pytest.raises(ZMQError) as caught:
        Frame(b"x").get(option)
    assert caught.value.errno == Errno.EINVAL


def test_set_is_einval_like_pyzmq() -> None:
    with pytest.raises(zmq.ZMQError) as theirs:
        zmq.Frame(b"x").set(zmq.MORE, 1)
    with pytest.raises(ZMQError) as ours:
        Frame(b"x").set(MORE, 1)
    assert ours.value.errno == theirs.value.errno == Errno.EINVAL


def test_copy_shares_content_flags_properties_and_tracker() -> None:
    frame = Frame(b"content", track=True)
    frame.more = True
    frame.properties = {"Socket-Type": b"DEALER"}
    for twin in (copy.copy(frame), frame.fast_copy()):
        assert twin is not frame
        assert type(twin) is Frame
        assert twin.bytes is frame.bytes
        assert twin.more is True
        assert twin["Socket-Type"] == "DEALER"
        assert twin.tracker is frame.tracker


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_frames_cannot_be_pickled_like_pyzmq(protocol: int) -> None:
    frame = Frame(b"content")
    frame.properties = {"Socket-Type": b"DEALER"}
    with pytest.raises(TypeError):
        pickle.dumps(zmq.Frame(b"content"), protocol)
    with pytest.raises(TypeError, match="cannot pickle 'Frame' object"):
        pickle.dumps(frame, protocol)
    with pytest.raises(TypeError, match="cannot pickle"):
        copy.deepcopy(frame)


def received_frame() -> Frame:
    frame = Frame(b"hi")
    frame.properties = {
        "Socket-Type": b"DEALER",
        "Routing-Id": b"me",
        "Peer-Address": b"127.0.0.1",
    }
    return frame


def test_properties_read_as_str() -> None:
    frame = received_frame()
    assert frame.get("Socket-Type") == "DEALER"
    assert frame["Socket-Type"] == "DEALER"
    assert frame[b"Socket-Type"] == "DEALER"
    assert frame["Peer-Address"] == "127.0.0.1"


def test_identity_falls_back_to_routing_id() -> None:
    """libzmq's metadata_t::get answers the legacy name Identity with Routing-Id."""
    frame = received_frame()
    assert frame["Identity"] == "me"
    frame.properties = {"Identity": b"old", "Routing-Id": b"new"}
    assert frame["Identity"] == "old"


@pytest.mark.parametrize("name", ["socket-type", "SOCKET-TYPE", "User-Id", "Resource", "X-foo"])
def test_missing_property_is_einval(name: str) -> None:
    """Lookups are exact, and a missing name is ZMQError(EINVAL), as in pyzmq."""
    with pytest.raises(ZMQError) as caught:
        received_frame()[name]
    assert caught.value.errno == Errno.EINVAL
    assert repr(name) in str(caught.value)


def test_fresh_frame_has_no_properties() -> None:
    with pytest.raises(zmq.ZMQError) as theirs:
        zmq.Frame(b"x")["Socket-Type"]
    with pytest.raises(ZMQError) as ours:
        Frame(b"x")["Socket-Type"]
    assert ours.value.errno == theirs.value.errno


def test_bad_key_type() -> None:
    with pytest.raises(TypeError, match="expected str"):
        Frame(b"x").get(1.5)  # type: ignore[call-overload]


@pytest.mark.parametrize("name", ["group", "routing_id"])
def test_draft_attributes_raise_like_pyzmq_without_drafts(name: str) -> None:
    with pytest.raises(RuntimeError):
        getattr(zmq.Frame(b"x"), name)
    with pytest.raises(RuntimeError, match="draft"):
        getattr(Frame(b"x"), name)
    with pytest.raises(RuntimeError, match="draft"):
        setattr(Frame(b"x"), name, 1)
    with pytest.raises(RuntimeError, match="draft"):
        Frame(b"x").get(name)


def test_options_read_as_attributes() -> None:
    frame = Frame(b"x")
    assert frame.shared == zmq.Frame(b"x").shared == 0  # type: ignore[attr-defined]
    assert frame.MORE == 0  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        frame.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError):
        frame.no_such_thing = 1  # type: ignore[attr-defined]


def test_identity_equality_and_hash_like_pyzmq() -> None:
    a, b = Frame(b"same"), Frame(b"same")
    assert (a == b) is (zmq.Frame(b"same") == zmq.Frame(b"same")) is False
    assert a == a
    assert len({a, b}) == 2


@pytest.mark.parametrize("size", [0, 3, 16, 17, 999, 2000, 10**6, 2**21])
def test_repr_and_str_match_pyzmq(size: int) -> None:
    """pyzmq's test_str: str is the repr, <zmq.Frame(...)> with the content cut to 12 octets."""
    data = b"x" * size
    assert repr(Frame(data)) == str(Frame(data)) == repr(zmq.Frame(data)) == str(zmq.Frame(data))


def test_repr_of_subclass_names_its_module() -> None:
    class Mine(Frame):
        pass

    assert repr(Mine(b"ab")) == f"<{__name__}.Mine(b'ab')>"


def test_received_frame_is_a_frame_of_the_data() -> None:
    """The shortcut sockets take has every field Frame(data) sets, and keeps the data."""
    data = b"received" * 100
    made, received = Frame(data), frame_module.received_frame(data, True)
    assert type(received) is Frame
    assert received.bytes is data
    assert received.more is True
    made.more = True
    for name in (*frame_module._Content.__slots__, *Frame.__slots__):
        assert getattr(received, name) == getattr(made, name), name
    assert memoryview(received).tobytes() == data


# Received frames, on real sockets


@pytest.fixture(
    params=[(api, transport) for api in APIS for transport in ("inproc", "tcp")],
    ids=lambda param: "-".join(param),
)
def env(request: pytest.FixtureRequest, ipc_dir: str) -> Env:
    api, transport = request.param
    return Env(api, transport, ipc_dir)


def assert_is_a_buffer_of(frame: Frame, payload: bytes) -> None:
    view = memoryview(frame)
    assert view.tobytes() == payload
    assert (view.format, view.shape, view.readonly) == ("B", (len(payload),), True)
    assert frame.buffer is frame.buffer
    assert struct.unpack_from("<Id", frame) == struct.unpack_from("<Id", payload)
    if sys.version_info < (3, 12):
        assert view.obj is frame.bytes  # the received bytes themselves: no copy


@scenario
async def test_received_frames_are_buffers(env: Env) -> None:
    """recv(copy=False) and recv_multipart(copy=False) give frames that read as buffers."""
    receiver = env.socket(purezmq.PAIR)
    sender = env.socket(purezmq.PAIR)
    sender.connect(env.bind(receiver))
    payload = struct.pack("<Id", 7, 2.5) + bytes(range(256)) * 300
    await sender.send_multipart([b"head", payload])
    head, body = await receiver.recv_multipart(copy=False)
    assert (head.bytes, head.more, body.more) == (b"head", True, False)
    assert_is_a_buffer_of(body, payload)
    await sender.send_multipart([payload, b"tail"])
    first = await receiver.recv(copy=False)
    assert first.more
    assert_is_a_buffer_of(first, payload)
    assert (await receiver.recv(copy=False)).bytes == b"tail"


@scenario
async def test_numpy_reads_a_received_frame_in_place(env: Env) -> None:
    """pyzmq's test_buffer_numpy: numpy.frombuffer(recv(copy=False), dtype) is the array sent."""
    numpy = pytest.importorskip("numpy")
    receiver = env.socket(purezmq.PAIR)
    sender = env.socket(purezmq.PAIR)
    sender.connect(env.bind(receiver))
    for dtype in ("<i8", ">f4", "u1", [("a", "<i4"), ("b", "<f8"), ("c", "S8")]):
        sent = numpy.zeros((3, 5), dtype=dtype)
        await sender.send(sent, copy=False)
        frame = await receiver.recv(copy=False)
        received = numpy.frombuffer(frame, sent.dtype).reshape(sent.shape)
        assert numpy.array_equal(received, sent)
        address = numpy.frombuffer(frame.bytes, "u1").ctypes.data
        assert received.ctypes.data == address


JUPYTER_ROUND_TRIP = """
    import json, sys
    import purezmq
    purezmq.install_as_zmq()
    import zmq
    from jupyter_client.session import Session

    ctx = zmq.Context()
    kernel, client = ctx.socket(zmq.DEALER), ctx.socket(zmq.ROUTER)
    for sock in (kernel, client):
        sock.linger, sock.rcvtimeo = 0, 10000
    if sys.argv[1] == "tcp":
        kernel.connect(f"tcp://127.0.0.1:{client.bind_to_random_port('tcp://127.0.0.1')}")
    else:
        client.bind("inproc://shell")
        kernel.connect("inproc://shell")
    session = Session(key=b"secret")
    buffers = [b"raw", bytearray(b"\\x00\\x01"), memoryview(b"--view--")[2:6], b"x" * 100_000]
    session.send(kernel, "comm_msg", content={"comm_id": "c1", "data": {"n": 1}}, buffers=buffers)
    idents, msg = session.recv(client, mode=0, content=True, copy=False)
    print(json.dumps({
        "content": msg["content"],
        "types": [type(b).__name__ for b in msg["buffers"]],
        "intact": [bytes(got) == bytes(sent) for got, sent in zip(msg["buffers"], buffers)],
        "count": len(msg["buffers"]),
    }))
    ctx.destroy(linger=0)
"""


@pytest.mark.skipif(
    importlib.util.find_spec("jupyter_client") is None, reason="jupyter_client not installed"
)
@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_jupyter_client_buffers_survive_copy_false(transport: str) -> None:
    """jupyter_client turns every extra part of a copy=False message into memoryview(frame).

    Runs under ``import zmq`` as purezmq, in a child process (this one imports pyzmq as zmq).
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(JUPYTER_ROUND_TRIP), transport],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {
        "content": {"comm_id": "c1", "data": {"n": 1}},
        "types": ["memoryview"] * 4,
        "intact": [True] * 4,
        "count": 4,
    }


def test_message_alias() -> None:
    assert Message is Frame


# MessageTracker


def test_untracked_frame_has_no_tracker() -> None:
    assert Frame(b"x").tracker is None
    assert zmq.Frame(b"x").tracker is None


def test_tracked_frame_is_done_at_once() -> None:
    frame = Frame(bytearray(b"x"), track=True)
    assert frame.tracker is _FINISHED_TRACKER
    assert frame.tracker.done
    frame.tracker.wait(0)
    assert MessageTracker(frame).done


def test_tracker_of_untracked_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="Not a tracked message"):
        MessageTracker(Frame(b"x"))


@pytest.mark.parametrize("bad", [b"x", 5, None])
def test_tracker_refuses_other_objects(bad: object) -> None:
    with pytest.raises(TypeError):
        MessageTracker(bad)  # type: ignore[arg-type]


def test_empty_tracker_is_done() -> None:
    tracker = MessageTracker()
    assert tracker.done
    tracker.wait()
    assert _FINISHED_TRACKER.done


def test_tracker_follows_events_and_peers() -> None:
    event = threading.Event()
    inner = MessageTracker(event)
    outer = MessageTracker(inner, _FINISHED_TRACKER)
    assert not inner.done and not outer.done
    event.set()
    assert inner.done and outer.done
    outer.wait(0)


@pytest.mark.parametrize("timeout", [0, 0.01])
def test_wait_times_out_with_notdone(timeout: float) -> None:
    pending = MessageTracker(threading.Event())
    with pytest.raises(NotDone):
        pending.wait(timeout)
    with pytest.raises(NotDone):
        MessageTracker(pending).wait(timeout)


@pytest.mark.parametrize("timeout", [-1, 60])
def test_wait_returns_when_the_event_is_set(timeout: float) -> None:
    event = threading.Event()
    tracker = MessageTracker(MessageTracker(event))
    finished = threading.Event()

    def waiter() -> None:
        tracker.wait(timeout)
        finished.set()

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    assert not finished.is_set()
    event.set()
    assert finished.wait(30)
    thread.join(30)


def test_tracker_repr_shows_state() -> None:
    event = threading.Event()
    tracker = MessageTracker(event)
    assert repr(tracker) == "<MessageTracker pending: 1 events, 0 peers>"
    event.set()
    assert repr(tracker) == "<MessageTracker done: 1 events, 0 peers>"
