"""Monkey-patch first, then 100 greenlets doing request/reply round trips with
purezmq.green over ROUTER/DEALER and over PUB/SUB (PUSH up, PUB down).

argv: ENDPOINT_BASE (tcp://127.0.0.1 or ipc://DIR). Prints one JSON line: how many
round trips came back right, per pattern.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402

import purezmq.green as zmq  # noqa: E402

CLIENTS = 100
TRIPS = 10


def bind(sock, base, name):
    if base.startswith("tcp://"):
        sock.bind(f"{base}:*")
    else:
        sock.bind(f"{base}/{name}")
    return sock.last_endpoint.decode()


def router_dealer(ctx, base):
    router = ctx.socket(zmq.ROUTER)
    endpoint = bind(router, base, "router")

    def serve():
        while True:
            ident, body = router.recv_multipart()
            router.send_multipart([ident, body[::-1]])

    def client(i):
        with ctx.socket(zmq.DEALER) as dealer:
            dealer.connect(endpoint)
            good = 0
            for n in range(TRIPS):
                text = f"{i}:{n}"
                dealer.send_string(text)
                good += dealer.recv_string() == text[::-1]
            return good

    server = gevent.spawn(serve)
    clients = [gevent.spawn(client, i) for i in range(CLIENTS)]
    gevent.joinall(clients, timeout=15, raise_error=True)
    server.kill()
    router.close()
    return sum(c.value or 0 for c in clients)


def pub_sub(ctx, base):
    pull, pub = ctx.socket(zmq.PULL), ctx.socket(zmq.PUB)
    up, down = bind(pull, base, "up"), bind(pub, base, "down")

    def serve():
        while True:
            topic, body = pull.recv_multipart()
            pub.send_multipart([topic, body.upper()])

    def client(i):
        topic = f"c{i}.".encode()  # the dot: c1 must not match c10
        with ctx.socket(zmq.SUB) as sub, ctx.socket(zmq.PUSH) as push:
            sub.subscribe(topic)
            sub.connect(down)
            push.connect(up)
            # Until the subscription has reached the publisher, replies are dropped:
            # ping until one comes back (a condition, with the joinall deadline).
            while True:
                push.send_multipart([topic, b"ping"])
                if sub.poll(50):
                    break
            good = 0
            for n in range(TRIPS):
                body = f"m{n}".encode()
                push.send_multipart([topic, body])
                reply = sub.recv_multipart()
                while reply == [topic, b"PING"]:  # answers to the pings
                    reply = sub.recv_multipart()
                good += reply == [topic, body.upper()]
            return good

    server = gevent.spawn(serve)
    clients = [gevent.spawn(client, i) for i in range(CLIENTS)]
    gevent.joinall(clients, timeout=15, raise_error=True)
    server.kill()
    pull.close()
    pub.close()
    return sum(c.value or 0 for c in clients)


def main():
    base = sys.argv[1]
    ctx = zmq.Context()
    result = {"router_dealer": router_dealer(ctx, base), "pub_sub": pub_sub(ctx, base),
              "expected": CLIENTS * TRIPS}
    ctx.term()
    print(json.dumps(result))


main()
