"""Monkey-patched lifecycles, one per argv[1]; each prints one JSON line of facts.

- after-import: import purezmq first, patch_all() after: green round trips, and the
  I/O thread is a real thread on an unpatched selector.
- term-blocked: greenlets blocked in recv/send/poll on open green sockets; term() in
  another greenlet wakes them with ContextTerminated, they close, term() returns.
- exit-open: greenlets left blocked in recv and poll on open sockets when the program
  ends.
- exit-open-unpatched: the same without monkey-patching (purezmq.green alone).
- term-linger: term() waiting for LINGER (a message for a peer that never comes)
  lets other greenlets run, and a gevent.Timeout around it fires.
- plain-socket: a plain (non-green) purezmq socket's blocking recv in a greenlet
  returns when a message comes from a real thread.
"""

import sys

if sys.argv[1] not in ("after-import", "exit-open-unpatched"):
    from gevent import monkey

    monkey.patch_all()

import json

import purezmq

if sys.argv[1] == "after-import":
    from gevent import monkey

    monkey.patch_all()

import gevent

import purezmq.green as zmq


def pair(ctx, kind_a=zmq.PAIR, kind_b=zmq.PAIR):
    a, b = ctx.socket(kind_a), ctx.socket(kind_b)
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b.connect(f"tcp://127.0.0.1:{port}")
    return a, b


def after_import():
    ctx = zmq.Context()
    a, b = pair(ctx)
    answers = []

    def echo():
        for _ in range(10):
            a.send(a.recv())

    server = gevent.spawn(echo)
    for n in range(10):
        b.send_string(str(n))
        answers.append(b.recv_string())
    server.join()
    io = ctx.io_thread()
    selector = io.loop._selector._selector
    facts = {
        "answers": answers,
        "thread": type(io.thread).__name__,
        "selector": f"{type(selector).__module__}.{type(selector).__name__}",
    }
    a.close()
    b.close()
    ctx.term()
    return facts


def term_blocked():
    ctx = zmq.Context()
    a, b = pair(ctx, zmq.PULL, zmq.PUSH)
    b.sndhwm = 1
    outcomes = []

    def blocked(call):
        try:
            call()
        except zmq.ContextTerminated:
            outcomes.append("ContextTerminated")

    def fill():
        while True:
            b.send(b"x" * 1000, zmq.NOBLOCK)

    def send_until_blocked():
        # The first Again is not the last: the I/O thread goes on moving the queue into
        # the connection until the kernel's buffers are full, so one send may still find
        # room. The peer never reads: sending on, one send blocks for good.
        while True:
            b.send(b"y" * 1000)

    try:
        fill()
    except zmq.Again:
        pass
    waiters = [gevent.spawn(blocked, c) for c in (lambda: ctx.socket(zmq.PULL).recv(),
                                                    lambda: a.poll(None, zmq.POLLOUT),
                                                    send_until_blocked)]
    gevent.idle()  # every waiter is parked in the hub now
    terminator = gevent.spawn(ctx.term)
    gevent.joinall(waiters, timeout=10)
    for sock in list(ctx._state.sockets):
        sock.close(linger=0)
    terminator.join(timeout=10)
    return {"outcomes": sorted(outcomes), "termed": terminator.dead and ctx.closed,
            "left_blocked": sum(not w.dead for w in waiters)}


def exit_open():
    ctx = zmq.Context()
    a, b = pair(ctx)
    poller = zmq.Poller()
    poller.register(a, zmq.POLLIN)
    waiters = [gevent.spawn(a.recv), gevent.spawn(b.recv), gevent.spawn(b.poll),
               gevent.spawn(poller.poll)]
    gevent.idle()
    return {"blocked": sum(not w.dead for w in waiters)}


def term_linger():
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.connect("tcp://127.0.0.1:9")  # the discard port: nobody listens
    push.send(b"never delivered")
    push.close(linger=-1)
    ticks = []

    def tick():
        while True:
            ticks.append(1)
            gevent.sleep(0.01)

    ticker = gevent.spawn(tick)
    try:
        with gevent.Timeout(0.3):
            ctx.term()
        outcome = "returned"
    except gevent.Timeout:
        outcome = "Timeout"
    ticker.kill()
    return {"outcome": outcome, "ticked": len(ticks) > 1}


def plain_socket():
    threading_start = monkey.get_original("_thread", "start_new_thread")
    ctx = purezmq.Context()
    receiver = ctx.socket(purezmq.PAIR)
    port = receiver.bind_to_random_port("tcp://127.0.0.1")
    go = ctx.socket(purezmq.PAIR)
    go_port = go.bind_to_random_port("tcp://127.0.0.1")

    def sender():
        # A real thread with its own sockets: it sends once told that recv is next.
        with purezmq.Context() as other:
            out, cue = other.socket(purezmq.PAIR), other.socket(purezmq.PAIR)
            out.connect(f"tcp://127.0.0.1:{port}")
            cue.connect(f"tcp://127.0.0.1:{go_port}")
            cue.recv()
            out.send(b"hello")
            out.close(linger=1000)
            cue.close()

    threading_start(sender, ())
    result = {}

    def plain_recv():
        go.send(b"go")
        result["message"] = receiver.recv().decode()

    gevent.spawn(plain_recv).join(timeout=10)
    receiver.close()
    go.close()
    ctx.term()
    return result


print(json.dumps({"after-import": after_import, "term-blocked": term_blocked,
                  "exit-open": exit_open, "exit-open-unpatched": exit_open,
                  "term-linger": term_linger,
                  "plain-socket": plain_socket}[sys.argv[1]]()),
      flush=True)
