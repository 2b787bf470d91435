"""What pyzmq's sockets and contexts refuse, and how: closed sockets, terminated contexts,
attribute writes, shadows, Context.instance()."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from unittest import mock

import pytest
from tests.helpers.waiting import wait_for

import purezmq as zmq
import purezmq.asyncio as azmq

SENDERS = ["PAIR", "PUB", "XPUB", "XSUB", "REQ", "DEALER", "ROUTER", "PUSH"]


@pytest.mark.parametrize("kind", SENDERS)
def test_every_send_on_a_closed_socket_is_enotsock(ctx: zmq.Context, kind: str) -> None:
    sock = ctx.socket(getattr(zmq, kind))
    sock.bind("inproc://closed-" + kind)
    sock.close()
    for send in (
        lambda: sock.send(b"x"),
        lambda: sock.send(b"x", zmq.NOBLOCK),
        lambda: sock.send_multipart([b"a", b"b"]),
        lambda: sock.send(b"x", zmq.SNDMORE),
    ):
        with pytest.raises(zmq.ZMQError) as info:
            send()
        assert info.value.errno == zmq.ENOTSOCK


@pytest.mark.parametrize("kind", ["PULL", "SUB", "REP", "ROUTER"])
def test_every_recv_on_a_closed_socket_is_enotsock(ctx: zmq.Context, kind: str) -> None:
    sock = ctx.socket(getattr(zmq, kind))
    sock.close()
    for recv in (sock.recv, sock.recv_multipart, lambda: sock.recv(zmq.NOBLOCK)):
        with pytest.raises(zmq.ZMQError) as info:
            recv()
        assert info.value.errno == zmq.ENOTSOCK


@pytest.mark.parametrize("kind", SENDERS)
def test_once_term_has_begun_sends_raise_eterm(kind: str) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(getattr(zmq, kind))
    sock.linger = 0
    sock.bind("inproc://eterm-" + kind)
    term = threading.Thread(target=ctx.term)
    term.start()
    wait_for(lambda: ctx.terminated)
    with pytest.raises(zmq.ContextTerminated):
        sock.send(b"x", zmq.NOBLOCK)
    with pytest.raises(zmq.ContextTerminated):
        sock.send_multipart([b"a", b"b"])
    sock.close()  # close() still works, and ends the term()
    term.join(10)
    assert not term.is_alive()


def test_a_recv_blocked_when_term_begins_raises_context_terminated() -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PULL)
    outcome: list[BaseException] = []

    def receive() -> None:
        try:
            sock.recv()
        except zmq.ZMQError as exc:
            outcome.append(exc)
        sock.close()

    thread = threading.Thread(target=receive)
    thread.start()
    ctx.term()
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], zmq.ContextTerminated)


def test_attribute_writes_of_unknown_names_raise(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.PUSH)
    with pytest.raises(AttributeError, match="LINGR"):
        sock.lingr = 0
    sock.linger = 7
    sock.SNDHWM = 3
    assert (sock.linger, sock.getsockopt(zmq.SNDHWM)) == (7, 3)
    sock.close()


def test_subscribe_attribute_subscribes() -> None:
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    sub = ctx.socket(zmq.SUB)
    pub.bind("inproc://subscribe-attr")
    sub.connect("inproc://subscribe-attr")
    sub.subscribe = b"yes"
    sub.rcvtimeo = 5000

    def delivered() -> bool:
        pub.send(b"no thanks")
        pub.send(b"yes please")
        return bool(sub.poll(10))

    wait_for(delivered)
    assert sub.recv() == b"yes please"
    assert callable(sub.subscribe)  # still the method
    ctx.destroy(linger=0)


# Introspection reads the deprecated socket_type, which warns, as pyzmq's does.
@pytest.mark.filterwarnings("ignore:Socket.socket_type is deprecated:DeprecationWarning")
def test_reading_an_option_a_socket_cannot_read_is_attribute_error(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.SUB)
    with pytest.raises(AttributeError):
        sock.UNSUBSCRIBE  # noqa: B018  (write-only)
    assert not hasattr(sock, "ROUTER_MANDATORY")  # not one of a SUB's options
    spec = mock.Mock(spec=sock)  # introspects every attribute: none may raise ZMQError
    spec.send(b"x")
    sock.close()


def test_context_attribute_writes(ctx: zmq.Context) -> None:
    ctx.linger = 5  # a socket option: a default for new sockets
    assert ctx.socket(zmq.PUSH).linger == 5
    ctx.io_threads = 2
    assert ctx.get(zmq.IO_THREADS) == 2
    with pytest.raises(AttributeError):
        ctx.nosuchoption = 1


def test_a_shadow_shares_the_socket_and_closing_it_closes_both(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://shadowed")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://shadowed")
    twin = zmq.Socket.shadow(pull.underlying)
    also = zmq.Socket(pull)
    assert twin.underlying == pull.underlying == also.underlying
    assert twin.type == zmq.PULL and twin.context is ctx
    push.send(b"one")
    twin.rcvtimeo = 5000
    assert twin.recv() == b"one"
    twin.close()
    assert pull.closed and also.closed


def test_a_handle_of_a_dropped_socket_does_not_resolve(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.PUSH)
    handle = sock.underlying
    sock.close()
    del sock
    with pytest.raises((zmq.ZMQError, ValueError)):
        zmq.Socket.shadow(handle)


def test_an_asyncio_shadow_of_a_sync_socket(ctx: zmq.Context) -> None:
    import asyncio

    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://async-shadow")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://async-shadow")

    async def main() -> bytes:
        async_pull = azmq.Socket(pull)
        assert isinstance(async_pull, azmq.Socket) and async_pull.type == zmq.PULL
        pending = async_pull.recv()
        threading.Thread(target=push.send, args=(b"from a thread",)).start()
        return bytes(await asyncio.wait_for(pending, 10))

    assert asyncio.run(main()) == b"from a thread"


def test_instance_follows_subclasses_as_pyzmq() -> None:
    """A subclass asked first gets one of its own; asked after the base, it shares the
    base's unless it declares its own ``_instance``; a terminated one is replaced."""
    zmq.Context.instance().term()

    class First(zmq.Context):
        pass

    class Inherit(zmq.Context):
        pass

    class Own(zmq.Context):
        _instance = None

    first = First.instance()
    base = zmq.Context.instance()
    assert type(first) is First and type(base) is zmq.Context
    assert type(Inherit.instance()) is zmq.Context
    own = Own.instance()
    assert type(own) is Own and Own.instance() is own
    for ctx in (first, base, own):
        ctx.term()
    assert Own.instance() is not own
    Own.instance().term()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_instance_in_a_forked_child_is_a_new_context() -> None:
    code = (
        "import os, purezmq as zmq\n"
        "parent = zmq.Context.instance()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if zmq.Context.instance() is not parent else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0", done.stderr


def test_repr_of_sockets_and_contexts() -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    assert repr(sock).startswith("<zmq.Socket(zmq.PUSH) at 0x")  # pyzmq's, exactly
    assert repr(ctx).startswith("<zmq.Context(1 socket) at 0x")

    class Mine(zmq.Socket):
        pass

    assert repr(Mine(ctx, zmq.PULL)).startswith(f"<{__name__}.Mine(zmq.PULL) at 0x")
    sock.close()
    ctx.term()
    assert repr(sock).endswith(" closed>") and repr(ctx).endswith(" closed>")


def test_bind_errors_name_the_address(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.PUSH)
    with pytest.raises(zmq.ZMQError) as info:
        sock.bind("tcp://nope")
    assert "tcp://nope" in str(info.value)
    with pytest.raises(zmq.ZMQError) as info:
        sock.connect("ipc://" + "x" * 200)
    assert info.value.errno == errno.ENAMETOOLONG and "107" in str(info.value)
    with pytest.raises(zmq.ZMQError) as info:
        sock.connect("tcp://*:5555")
    assert info.value.errno == zmq.EINVAL




def test_option_aliases_read_as_attributes() -> None:
    """``sock.identity`` (IDENTITY, ROUTING_ID's old name) reads as in pyzmq; it was an
    AttributeError, as were the other aliases (CONNECT_RID ...)."""
    with zmq.Context() as ctx, ctx.socket(zmq.DEALER) as sock:
        sock.routing_id = b"me"
        assert sock.identity == sock.IDENTITY == b"me"
    for alias in ("identity", "connect_rid", "delay_attach_on_connect", "fail_unroutable",
                  "router_behavior"):
        assert isinstance(getattr(zmq.Socket, alias), property), alias
