"""Endpoint strings: ``tcp://host:port``, ``ipc://path``, ``inproc://name`` (zmq_bind(3)).

Parsing only: no name resolution happens here. A bad endpoint raises CoreError with
EINVAL (malformed) or EPROTONOSUPPORT (unknown transport), as libzmq does.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import EINVAL, ENAMETOOLONG, ENODEV, EPROTONOSUPPORT, CoreError

TRANSPORTS = ("tcp", "ipc", "inproc")
# The longest AF_UNIX path (sun_path is 108 octets on Linux, with its terminating NUL).
IPC_PATH_MAX_LEN = 107


class Endpoint(NamedTuple):
    """A parsed endpoint. For tcp ``host`` and ``port`` are set (port 0 = any).

    A NamedTuple rather than a frozen dataclass: ``dataclasses`` costs ``import purezmq``
    a quarter of its time.
    """

    transport: str
    address: str
    host: str = ""
    port: int = 0

    def __str__(self) -> str:
        return f"{self.transport}://{self.address}"


def parse_endpoint(text: str, connecting: bool = False) -> Endpoint:
    """Split ``text`` into transport and address; CoreError for a malformed one.

    ``connecting``: the endpoint is a connect()'s, where a tcp wildcard (``*`` as host
    or port) means nothing and is EINVAL, as in libzmq.
    """
    if not isinstance(text, str):
        raise CoreError(EINVAL, f"endpoint must be a str, not {type(text).__name__}")
    transport, sep, address = text.partition("://")
    if not sep or not address:
        raise CoreError(EINVAL, f"invalid endpoint {text!r}: expected transport://address")
    if transport not in TRANSPORTS:
        raise CoreError(EPROTONOSUPPORT, f"transport {transport!r} is not supported")
    if transport == "tcp":
        host, port = split_host_port(address, text)
        if connecting and (host == "*" or port == 0):
            raise CoreError(EINVAL, f"cannot connect to {text!r}: no wildcard in a connect")
        return Endpoint(transport, address, host, port)
    if transport == "ipc" and address != "*" and len(address.encode()) > IPC_PATH_MAX_LEN:
        raise CoreError(
            ENAMETOOLONG,
            f"ipc path {address!r} is {len(address.encode())} bytes long;"
            f" the limit is {IPC_PATH_MAX_LEN} (an AF_UNIX address)",
        )
    return Endpoint(transport, address)


def check_bind_family(endpoint: Endpoint, ipv6: bool) -> None:
    """CoreError(ENODEV) for a bind to an IPv6 address by a socket without IPV6, as libzmq
    (which then reads the address as an interface name, and finds none)."""
    if endpoint.transport == "tcp" and ":" in endpoint.host and not ipv6:
        raise CoreError(
            ENODEV,
            f"binding {endpoint} needs the IPV6 socket option (sock.ipv6 = 1)",
        )


def split_host_port(address: str, text: str) -> tuple[str, int]:
    """``host:port`` (IPv6 in brackets); ``*`` or ``0`` as port means any port."""
    # libzmq accepts "src;dst" for connects; we take the destination only.
    address = address.rpartition(";")[2]
    host, sep, port_text = address.rpartition(":")
    if not sep or not host:
        raise CoreError(EINVAL, f"invalid tcp endpoint {text!r}: expected host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if port_text in ("*", "0"):
        return host, 0
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise CoreError(EINVAL, f"invalid tcp endpoint {text!r}: bad port {port_text!r}")
    return host, int(port_text)


def format_tcp(host: str, port: int) -> str:
    """The LAST_ENDPOINT form of a tcp address (IPv6 in brackets)."""
    if ":" in host:
        return f"tcp://[{host}]:{port}"
    return f"tcp://{host}:{port}"
