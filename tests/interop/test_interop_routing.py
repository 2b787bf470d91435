"""ROUTER routing ids across the two libraries, chosen and generated."""

from __future__ import annotations

import errno

import pytest
import zmq as pyzmq

import purezmq

from .support import LIBS, TRANSPORTS, Sockets, other, recv_pumping

pytestmark = pytest.mark.interop

CLIENTS = ("DEALER", "REQ")


def _request(client_type: str, body: list[bytes]) -> list[bytes]:
    """What the client sends: REQ adds the empty delimiter itself."""
    return body if client_type == "REQ" else [b"", *body]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("router_binds", [True, False], ids=["router_binds", "client_binds"])
@pytest.mark.parametrize("router_lib", LIBS, ids=lambda lib: f"ROUTER_{lib}")
@pytest.mark.parametrize("client_type", CLIENTS)
def test_chosen_routing_ids(
    sockets: Sockets, client_type: str, router_lib: str, router_binds: bool, transport: str
) -> None:
    """Each client's ROUTING_ID is the first frame at the ROUTER; replies find their client."""
    router = sockets.make(router_lib, "ROUTER")
    names = [b"client-one", b"\xffbinary\x00id"]
    clients = [sockets.make(other(router_lib), client_type, routing_id=n) for n in names]
    if router_binds:
        endpoint = sockets.bind(router, transport)
        for client in clients:
            client.connect(endpoint)
    else:
        for client in clients:
            router.connect(sockets.bind(client, transport))

    for name, client in zip(names, clients, strict=True):
        assert client.routing_id == name
        client.send_multipart(_request(client_type, [b"from " + name]))
        # The ROUTER may not know a connecting peer until it has been polled.
        routing_id, *rest = recv_pumping(router, client)
        assert routing_id == name
        assert rest == [b"", b"from " + name]
    for name in reversed(names):
        router.send_multipart([name, b"", b"to " + name])
    for name, client in zip(names, clients, strict=True):
        assert client.recv_multipart() == _request(client_type, [b"to " + name])


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("router_lib", LIBS, ids=lambda lib: f"ROUTER_{lib}")
@pytest.mark.parametrize("client_type", CLIENTS)
def test_generated_routing_ids(
    sockets: Sockets, client_type: str, router_lib: str, transport: str
) -> None:
    """Clients without ROUTING_ID get distinct generated ids that route replies back."""
    router = sockets.make(router_lib, "ROUTER")
    endpoint = sockets.bind(router, transport)
    clients = [sockets.make(other(router_lib), client_type) for _ in range(3)]
    for client in clients:
        client.connect(endpoint)

    ids = {}
    for n, client in enumerate(clients):
        client.send_multipart(_request(client_type, [b"%d" % n]))
    for _ in clients:
        routing_id, *rest = router.recv_multipart()
        assert routing_id
        assert rest[0] == b""
        ids[rest[1]] = routing_id
    assert sorted(ids) == [b"0", b"1", b"2"]
    assert len(set(ids.values())) == 3, ids
    if router_lib == "libzmq":
        # libzmq's generated ids: a zero octet, then a 32-bit counter.
        assert all(len(i) == 5 and i[0] == 0 for i in ids.values()), ids
    for body, routing_id in ids.items():
        router.send_multipart([routing_id, b"", b"reply " + body])
    for n, client in enumerate(clients):
        assert client.recv_multipart() == _request(client_type, [b"reply %d" % n])


@pytest.mark.parametrize("router_lib", LIBS, ids=lambda lib: f"ROUTER_{lib}")
def test_router_mandatory_unknown_peer(sockets: Sockets, router_lib: str) -> None:
    """A ROUTER_MANDATORY ROUTER refuses an unknown id but routes a known one (tcp)."""
    router = sockets.make(router_lib, "ROUTER", router_mandatory=1)
    dealer = sockets.make(other(router_lib), "DEALER", routing_id=b"known")
    dealer.connect(sockets.bind(router, "tcp"))
    dealer.send(b"hello")
    assert router.recv_multipart() == [b"known", b"hello"]
    with pytest.raises((pyzmq.ZMQError, purezmq.ZMQError)) as info:
        router.send_multipart([b"unknown", b"lost"])
    assert info.value.errno == errno.EHOSTUNREACH
    router.send_multipart([b"known", b"found"])
    assert dealer.recv_multipart() == [b"found"]
