"""One end of a green exchange, on purezmq.green or on pyzmq's zmq.green (libzmq).

argv: LIB (purezmq | pyzmq) ROLE (server | client) ENDPOINT_BASE [ENDPOINT]
- server: monkey-patches, binds a ROUTER, prints {"endpoint": ...}, answers every
  request reversed until it gets b"stop", then prints {"served": n}.
- client: monkey-patches, 100 greenlets on DEALERs do round trips to ENDPOINT,
  sends b"stop", prints {"good": n, "expected": n}.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402

if sys.argv[1] == "purezmq":
    import purezmq.green as zmq
else:
    import zmq.green as zmq  # pyzmq, on libzmq

CLIENTS = 100
TRIPS = 10


def server(ctx, base):
    router = ctx.socket(zmq.ROUTER)
    router.bind(f"{base}:*" if base.startswith("tcp://") else f"{base}/peer")
    print(json.dumps({"endpoint": router.getsockopt(zmq.LAST_ENDPOINT).decode()}), flush=True)
    served = 0
    while True:
        ident, body = router.recv_multipart()
        if body == b"stop":
            break
        router.send_multipart([ident, body[::-1]])
        served += 1
    router.close()
    return {"served": served}


def client(ctx, endpoint):
    def one(i):
        dealer = ctx.socket(zmq.DEALER)
        dealer.connect(endpoint)
        good = 0
        for n in range(TRIPS):
            text = f"{i}/{n}".encode()
            dealer.send(text)
            good += dealer.recv() == text[::-1]
        dealer.close()
        return good

    greenlets = [gevent.spawn(one, i) for i in range(CLIENTS)]
    gevent.joinall(greenlets, timeout=15, raise_error=True)
    stopper = ctx.socket(zmq.DEALER)
    stopper.linger = 5000
    stopper.connect(endpoint)
    stopper.send(b"stop")
    stopper.close()
    return {"good": sum(g.value or 0 for g in greenlets), "expected": CLIENTS * TRIPS}


def main():
    ctx = zmq.Context()
    role = sys.argv[2]
    result = server(ctx, sys.argv[3]) if role == "server" else client(ctx, sys.argv[4])
    ctx.term()
    print(json.dumps(result), flush=True)


main()
