"""The socket commands against libzmq (pyzmq) peers and against each other."""

from __future__ import annotations

from collections.abc import Callable

import zmq

from .support import Cli, repeat_until, seen_within

TCP = "tcp://127.0.0.1:*"


def _bound(sock: zmq.Socket) -> str:  # type: ignore[type-arg]
    sock.bind(TCP)
    return str(sock.last_endpoint.decode())


def test_sub_receives_from_a_libzmq_pub(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    """The publisher repeats until the subscriber has printed --count messages."""
    pub = zctx.socket(zmq.PUB)
    sub = cli("sub", _bound(pub), "--count", "3")
    repeat_until(lambda: pub.send_multipart([b"weather", b"sunny"]), lambda: sub.lines)
    repeat_until(lambda: pub.send_multipart([b"weather", b"sunny"]),
                 lambda: sub.proc.poll() is not None)
    assert sub.wait() == 0
    assert sub.lines == ["weather|sunny"] * 3


def test_sub_filters_on_its_subscriptions(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    pub = zctx.socket(zmq.PUB)
    sub = cli("sub", _bound(pub), "--subscribe", "b", "--subscribe", "c", "--count", "4")

    def publish() -> None:
        for topic in (b"a1", b"b1", b"c1"):
            pub.send(topic)

    repeat_until(publish, lambda: sub.proc.poll() is not None)
    assert sub.wait() == 0
    assert set(sub.lines) == {"b1", "c1"}


def test_sub_receives_from_a_purezmq_pub(cli: Callable[..., Cli]) -> None:
    """`pub --count --interval` repeats; the subscriber gets some, each whole."""
    pub = cli("pub", "--bind", TCP, "-m", "tick", "-m", "tock", "--count", "2000",
              "--interval", "10")
    sub = cli("sub", pub.bound()[0], "--count", "4", "--subscribe", "ti")
    assert sub.wait() == 0
    assert sub.lines == ["tick"] * 4
    pub.signal(15)
    assert pub.wait() == 143


def test_req_talks_to_rep_exec_cat(cli: Callable[..., Cli]) -> None:
    rep = cli("rep", "--bind", TCP, "--exec", "cat", "--count", "2")
    req = cli("req", rep.bound()[0], stdin=b"hello\nworld\n")
    req.close_stdin()
    assert req.wait() == 0
    assert bytes(req.out) == b"hello\nworld\n"
    assert rep.wait() == 0
    assert bytes(rep.out) == b"hello\nworld\n"  # rep prints each request


def test_rep_exec_answers_a_libzmq_req(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    """The command reads the frames one per line and its output, split, is the reply."""
    rep = cli("rep", "--bind", TCP, "--exec", "tr a-z A-Z", "--frames-sep", "\n")
    req = zctx.socket(zmq.REQ)
    req.rcvtimeo = 10000
    req.connect(rep.bound()[0])
    req.send_multipart([b"first", b"second"])
    assert req.recv_multipart() == [b"FIRST", b"SECOND"]


def test_rep_echoes_and_req_prints_replies_from_libzmq(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    rep = cli("rep", "--bind", TCP, "--count", "1")
    req = zctx.socket(zmq.REQ)
    req.rcvtimeo = 10000
    req.connect(rep.bound()[0])
    req.send_multipart([b"a", b"b"])
    assert req.recv_multipart() == [b"a", b"b"]
    assert rep.wait() == 0

    server = zctx.socket(zmq.REP)
    client = cli("req", _bound(server), "-m", "ping", "--count", "2")
    for _ in range(2):
        assert server.recv() == b"ping"
        server.send_multipart([b"pong", b"\x00"])
    assert client.wait() == 0
    assert client.lines == ["pong|\\x00"] * 2


def test_push_to_pull(cli: Callable[..., Cli]) -> None:
    pull = cli("pull", "--bind", TCP, "--count", "3", "--frames-sep", "/")
    push = cli("push", pull.bound()[0], "--frames-sep", "/", stdin=b"one\ntwo/2\nthree")
    push.close_stdin()
    assert push.wait() == 0
    assert pull.wait() == 0
    assert bytes(pull.out) == b"one\ntwo/2\nthree\n"


def test_push_count_and_interval_repeat_messages(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    pull = zctx.socket(zmq.PULL)
    pull.rcvtimeo = 10000
    push = cli("push", _bound(pull), "-m", "a", "-m", "b", "--count", "5", "--interval", "1")
    assert [pull.recv() for _ in range(5)] == [b"a", b"b", b"a", b"b", b"a"]
    assert push.wait() == 0


def test_router_shows_routing_ids_and_answers(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    """Router prints [id] frames; a bare line goes to the last peer, [id] to the one named."""
    router = cli("router", "--bind", TCP, stdin=b"")
    endpoint = router.bound()[0]
    dealers = []
    for name in (b"d1", b"d2"):
        dealer = zctx.socket(zmq.DEALER)
        dealer.routing_id = name
        dealer.rcvtimeo = 10000
        dealer.connect(endpoint)
        dealers.append(dealer)
    dealers[1].send(b"here")  # so that the router knows d2 when it is named below
    assert seen_within(lambda: router.lines == ["[6432] here"], 10)
    dealers[0].send(b"ping")
    assert seen_within(lambda: router.lines[1:] == ["[6431] ping"], 10)
    router.write(b"pong\n")
    assert dealers[0].recv() == b"pong"
    router.write(b"[6432] hello d2\n")
    assert dealers[1].recv() == b"hello d2"
    router.close_stdin()  # the router goes on receiving
    dealers[1].send_multipart([b"x", b"y"])
    assert seen_within(lambda: router.lines[-1:] == ["[6432] x|y"], 10)


def test_router_replies_to_a_req_with_its_envelope(cli: Callable[..., Cli]) -> None:
    router = cli("router", "--bind", TCP, stdin=b"")
    req = cli("req", router.bound()[0], "-m", "hi", "--identity", "r1")
    assert seen_within(lambda: router.lines == ["[7231] |hi"], 10)  # the empty delimiter
    router.write(b"ho\n")
    assert req.wait() == 0
    assert req.lines == ["ho"]


def test_dealer_with_a_libzmq_router(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    server = zctx.socket(zmq.ROUTER)
    server.rcvtimeo = 10000
    dealer = cli("dealer", _bound(server), "-m", "hello", "--count", "1", "--timeout", "10000")
    routing_id, body = server.recv_multipart()
    assert body == b"hello"
    server.send_multipart([routing_id, b"world", b"!"])
    assert dealer.wait() == 0
    assert dealer.lines == ["world|!"]


def test_pair_both_ways(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    peer = zctx.socket(zmq.PAIR)
    peer.rcvtimeo = 10000
    pair = cli("pair", _bound(peer), stdin=b"from cli\n")
    assert peer.recv() == b"from cli"
    peer.send(b"from libzmq")
    assert seen_within(lambda: pair.lines == ["from libzmq"], 10)


def test_xpub_prints_subscriptions(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    xpub = cli("xpub", "--bind", TCP, stdin=b"")
    sub = zctx.socket(zmq.SUB)
    sub.rcvtimeo = 10000
    sub.connect(xpub.bound()[0])
    sub.subscribe(b"news")
    assert seen_within(lambda: xpub.lines == ["subscribe news"], 10)
    xpub.write(b"news flash\n")
    assert sub.recv() == b"news flash"
    sub.unsubscribe(b"news")
    assert seen_within(lambda: xpub.lines[-1:] == ["unsubscribe news"], 10)


def test_xsub_subscribes_and_receives(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    pub = zctx.socket(zmq.XPUB)
    pub.rcvtimeo = 10000
    xsub = cli("xsub", _bound(pub), "--subscribe", "t", "--count", "1")
    assert pub.recv() == b"\x01t"  # the subscription the CLI sent
    pub.send(b"topic")
    assert xsub.wait() == 0
    assert xsub.lines == ["topic"]
