"""Endpoint strings (zmq_tcp(7), zmq_ipc(7), zmq_inproc(7)): parsing only, no DNS."""

from __future__ import annotations

from typing import Any

import pytest

from purezmq.core.endpoint import Endpoint, format_tcp, parse_endpoint
from purezmq.core.errors import EINVAL, EPROTONOSUPPORT, CoreError


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("tcp://127.0.0.1:5555", "127.0.0.1", 5555),
        ("tcp://0.0.0.0:1", "0.0.0.0", 1),
        ("tcp://[::1]:5555", "::1", 5555),
        ("tcp://[fe80::1%eth0]:80", "fe80::1%eth0", 80),
        ("tcp://[::]:*", "::", 0),
        ("tcp://localhost:65535", "localhost", 65535),
        ("tcp://example.com:80", "example.com", 80),
        ("tcp://eth0:5555", "eth0", 5555),
        ("tcp://*:5555", "*", 5555),
        ("tcp://*:*", "*", 0),
        ("tcp://127.0.0.1:0", "127.0.0.1", 0),
        ("tcp://127.0.0.1:5555;10.0.0.1:6000", "10.0.0.1", 6000),
    ],
)
def test_tcp(text: str, host: str, port: int) -> None:
    """tcp://host:port: IPv4, bracketed IPv6, names, interfaces; `*` or 0 is any port."""
    endpoint = parse_endpoint(text)
    assert endpoint.transport == "tcp"
    assert (endpoint.host, endpoint.port) == (host, port)
    assert endpoint.address == text[len("tcp://") :]
    assert str(endpoint) == text


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("ipc:///tmp/sock", "/tmp/sock"),
        ("ipc://relative/path", "relative/path"),
        ("ipc://@abstract", "@abstract"),
        ("ipc://*", "*"),
        ("inproc://name", "name"),
        ("inproc://a/b:c", "a/b:c"),
        ("inproc://#1", "#1"),
    ],
)
def test_ipc_and_inproc(text: str, address: str) -> None:
    """ipc:// takes a path and inproc:// a name, both taken as they are."""
    endpoint = parse_endpoint(text)
    assert endpoint.transport == text.partition("://")[0]
    assert endpoint.address == address
    assert (endpoint.host, endpoint.port) == ("", 0)
    assert str(endpoint) == text


def test_endpoint_is_a_value() -> None:
    """Endpoints compare and hash by value."""
    assert parse_endpoint("inproc://x") == Endpoint("inproc", "x")
    assert len({parse_endpoint("tcp://a:1"), parse_endpoint("tcp://a:1")}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tcp",
        "tcp:/127.0.0.1:5555",
        "127.0.0.1:5555",
        "tcp://",
        "ipc://",
        "inproc://",
        "tcp://127.0.0.1",
        "tcp://:5555",
        "tcp://127.0.0.1:",
        "tcp://127.0.0.1:port",
        "tcp://127.0.0.1:-1",
        "tcp://127.0.0.1:+5",
        "tcp://127.0.0.1:65536",
        "tcp://127.0.0.1:99999999999",
        "tcp://127.0.0.1:5 5",
        "tcp://127.0.0.1:\u00b2",  # superscript two: str.isdigit() is true, int() fails
        "tcp://127.0.0.1:\uff15\uff15\uff15\uff15",  # full-width digits: not an ASCII port
        "tcp://[::1]",
    ],
)
def test_malformed_is_einval(text: str) -> None:
    """A malformed endpoint is EINVAL, as zmq_bind(3) reports it."""
    with pytest.raises(CoreError) as info:
        parse_endpoint(text)
    assert info.value.errno == EINVAL


@pytest.mark.parametrize(
    "text", ["udp://127.0.0.1:5555", "pgm://eth0;239.192.1.1:5555", "ws://h:80", "TCP://h:1",
             "foo://bar"]
)
def test_unknown_transport_is_eprotonosupport(text: str) -> None:
    """A transport other than tcp, ipc and inproc is EPROTONOSUPPORT."""
    with pytest.raises(CoreError) as info:
        parse_endpoint(text)
    assert info.value.errno == EPROTONOSUPPORT


@pytest.mark.parametrize("value", [None, b"tcp://127.0.0.1:5555", 5])
def test_not_a_str_is_einval(value: Any) -> None:
    """Only str endpoints are parsed."""
    with pytest.raises(CoreError) as info:
        parse_endpoint(value)
    assert info.value.errno == EINVAL


@pytest.mark.parametrize(
    ("host", "port", "text"),
    [("127.0.0.1", 5555, "tcp://127.0.0.1:5555"), ("::1", 80, "tcp://[::1]:80"),
     ("0.0.0.0", 1, "tcp://0.0.0.0:1")],
)
def test_format_tcp_round_trips(host: str, port: int, text: str) -> None:
    """format_tcp gives LAST_ENDPOINT's form, with IPv6 in brackets, and parses back."""
    assert format_tcp(host, port) == text
    endpoint = parse_endpoint(text)
    assert (endpoint.host, endpoint.port) == (host, port)
