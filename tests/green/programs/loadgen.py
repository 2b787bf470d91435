"""A distributed load generator in miniature: a master and its workers talk over
DEALER/ROUTER (heartbeats, results, acks, quit) with purezmq.green, and each also
serves HTTP with gevent.pywsgi, all in one monkey-patched process per role.

argv: master | worker ENDPOINT
- master prints {"endpoint": ..., "http": port}; GET /stats gives its counts; GET
  /stop tells the workers to quit, then it ends and prints its counts.
- worker prints {"http": port}; sends a heartbeat every 50 ms and JOBS results (each
  acknowledged by the master); GET /stats gives its counts; ends on "quit".
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from gevent.event import Event  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

import purezmq.green as zmq  # noqa: E402

JOBS = 50


def http(stats, on_stop=None):
    """A pywsgi server on an ephemeral port: /stats, and /stop if on_stop."""

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/stop" and on_stop is not None:
            on_stop()
            body = b'{"stopping": true}'
        elif path == "/stats":
            body = json.dumps(stats).encode()
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    return server


def master():
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    router.bind("tcp://127.0.0.1:*")
    stats = {"heartbeats": 0, "results": 0, "workers": []}
    stop = Event()
    server = http(stats, stop.set)
    print(json.dumps({"endpoint": router.last_endpoint.decode(), "http": server.server_port}),
          flush=True)

    def receive():
        while True:
            ident, kind, body = router.recv_multipart()
            if ident.hex() not in stats["workers"]:
                stats["workers"].append(ident.hex())
            if kind == b"heartbeat":
                stats["heartbeats"] += 1
            elif kind == b"result":
                stats["results"] += json.loads(body)["square"] == json.loads(body)["n"] ** 2
                router.send_multipart([ident, b"ack", body])

    receiver = gevent.spawn(receive)
    stop.wait()
    for worker in stats["workers"]:
        router.send_multipart([bytes.fromhex(worker), b"quit", b""])
    receiver.kill()
    server.stop()
    router.close(linger=2000)
    ctx.term()
    print(json.dumps(stats), flush=True)


def worker(endpoint):
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(endpoint)
    stats = {"sent": 0, "acks": 0, "heartbeats": 0}
    server = http(stats)
    print(json.dumps({"http": server.server_port}), flush=True)

    def heartbeat():
        while True:
            dealer.send_multipart([b"heartbeat", b""])
            stats["heartbeats"] += 1
            gevent.sleep(0.05)  # the heartbeat interval

    def work():
        for n in range(JOBS):
            dealer.send_multipart([b"result", json.dumps({"n": n, "square": n * n}).encode()])
            stats["sent"] += 1
            gevent.sleep(0)  # let the other greenlets run between jobs

    beating, working = gevent.spawn(heartbeat), gevent.spawn(work)
    while True:
        kind, _ = dealer.recv_multipart()
        if kind == b"quit":
            break
        stats["acks"] += 1
    beating.kill()
    working.join()
    server.stop()
    dealer.close()
    ctx.term()
    print(json.dumps(stats), flush=True)


if sys.argv[1] == "master":
    master()
else:
    worker(sys.argv[2])
