"""What an asyncio program sent before its loop ended arrives, as on pyzmq.

An asyncio socket's connections run on its loop. A program that connects, sends and
ends (``asyncio.run`` returns) may give the loop no chance to make the connection:
the messages wait in the socket's queue. On pyzmq, libzmq's own thread connects and
delivers them; here the Context hands such a socket to its I/O thread when the loop
is gone (at ``term()``/``destroy()`` after the loop, or at exit) and the messages go
out there, within LINGER (and, at exit, within a grace period if no peer answers).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import zmq as pyzmq

CHILD_TIMEOUT = 60

ENDINGS = {
    "nothing": "",
    "close": "push.close()",
    "close_linger": "push.close(linger=-1)",
}
AFTER = {
    "exit": "",
    "term": "ctx.term()",
    "destroy": "ctx.destroy()",
}

SENDER = """
import asyncio, purezmq.asyncio as zmq
ctx = zmq.Context()
async def main():
    global push
    push = ctx.socket(zmq.PUSH)
    push.connect(ENDPOINT)
    for i in range(5):
        await push.send(b"m%d" % i)
    ENDING
asyncio.run(main())
AFTER
"""


def _sender(endpoint: str, ending: str, after: str) -> str:
    code = SENDER.replace("ENDPOINT", repr(endpoint)).replace("ENDING", ENDINGS[ending])
    return textwrap.dedent(code.replace("AFTER", AFTER[after]))


# Every ending with every way out, but term() with a socket left open: that waits for
# the socket for ever, on pyzmq too.
CASES = [(e, a) for e in sorted(ENDINGS) for a in sorted(AFTER) if (e, a) != ("nothing", "term")]
# Inside the coroutine, on the loop's own thread, which term() then blocks: the Context
# made and dropped there (garbage: destroyed), or ended there.
CASES += [("dropped", "exit"), ("close_term_inside", "exit"), ("destroy_inside", "exit")]
ENDINGS |= {
    "dropped": "del push; globals().pop('ctx')",
    "close_term_inside": "push.close(); ctx.term()",
    "destroy_inside": "ctx.destroy()",
}


@pytest.mark.parametrize(("ending", "after"), CASES)
def test_messages_sent_before_the_loop_ended_arrive(ending: str, after: str) -> None:
    ctx = pyzmq.Context()
    try:
        pull = ctx.socket(pyzmq.PULL)
        pull.rcvtimeo = 10_000  # the sender has ended by then: they came or not
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        code = _sender(f"tcp://127.0.0.1:{port}", ending, after)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT)
        assert (done.returncode, done.stderr) == (0, "")
        assert [pull.recv() for _ in range(5)] == [b"m%d" % i for i in range(5)]
    finally:
        ctx.destroy(linger=0)


def test_an_absent_peer_does_not_hang_the_exit() -> None:
    """Nobody listens: the exit gives the connection its grace period, then ends."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    code = _sender(f"tcp://127.0.0.1:{port}", "close_linger", "exit")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=CHILD_TIMEOUT)  # a hang fails here
    assert (done.returncode, done.stderr) == (0, "")


RESTARTER = """
import asyncio, purezmq.asyncio as zmq
ctx = zmq.Context()
async def main():
    for i in range(3):  # a heartbeat that gets no answer makes a new socket each time
        req = ctx.socket(zmq.REQ)
        req.linger = 1000
        req.connect(ENDPOINT)
        await req.send(b"ping%d" % i)
        req.close()
loop = asyncio.new_event_loop()
loop.run_until_complete(main())
loop.close()
ctx.term()
"""


def test_connects_a_closed_loop_never_started_are_not_reported() -> None:
    """run_until_complete and close, as a thread running a heartbeat does: the loop never
    started the connects; the sockets go on at term() and nothing is printed of the
    attempts the closed loop left (a pending task, a coroutine never awaited)."""
    ctx = pyzmq.Context()
    try:
        router = ctx.socket(pyzmq.ROUTER)
        router.rcvtimeo = 10_000
        port = router.bind_to_random_port("tcp://127.0.0.1")
        code = textwrap.dedent(RESTARTER.replace("ENDPOINT", repr(f"tcp://127.0.0.1:{port}")))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT)
        assert (done.returncode, done.stderr) == (0, "")
        pings = sorted(router.recv_multipart()[-1] for _ in range(3))
        assert pings == [b"ping0", b"ping1", b"ping2"]
    finally:
        ctx.destroy(linger=0)


# Waits still pending when the loop stops for good: pyzmq's are bare Futures, which
# Python drops without a word. A Task would print "Task was destroyed but it is pending".
PENDING_AT_EXIT = {
    "recv": "pull.recv()",
    "recv_multipart": "pull.recv_multipart()",
    "poll": "pull.poll(10_000)",
    "poller": "poller.poll(10_000)",
    "poller_for_ever": "poller.poll()",
}

PENDING = """
import asyncio, MODULE as zmq
import MODULE.asyncio as azmq
ctx = azmq.Context()
async def main():
    global pull, poller, pending
    pull = ctx.socket(zmq.PULL)
    pull.bind("tcp://127.0.0.1:*")
    poller = azmq.Poller()
    poller.register(pull, zmq.POLLIN)
    pending = asyncio.ensure_future(CALL)
    await asyncio.sleep(0)
    assert not pending.done()
loop = asyncio.new_event_loop()
loop.run_until_complete(main())
print("main done")
"""


@pytest.mark.parametrize("module", ["zmq", "purezmq"])
@pytest.mark.parametrize("call", sorted(PENDING_AT_EXIT))
def test_a_wait_pending_when_the_program_ends_is_dropped_quietly(module: str, call: str) -> None:
    """A program that leaves an await of recv or poll pending on a loop it never closes
    ends quietly, on purezmq as on pyzmq (run here too, as the reference)."""
    code = PENDING.replace("MODULE", module).replace("CALL", PENDING_AT_EXIT[call])
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=CHILD_TIMEOUT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "main done\n", "")
