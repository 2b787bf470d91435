"""Socket option flags shared by the socket commands, ``monitor`` and ``proxy``.

Each flag is one row of ``SOCKET_FLAGS``: its argparse spelling and the function
that applies a given value to a socket. A new option (a security mechanism's keys,
say) is a new row and, at most, a small function.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import purezmq as zmq

from .common import Usage

SUB = int(zmq.SocketType.SUB)
XSUB = int(zmq.SocketType.XSUB)


@dataclass(frozen=True)
class Flag:
    """A command-line flag that sets something on a socket when it is given."""

    name: str
    help: str
    apply: Callable[[Any, Any], None]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # other spellings of the same flag
    # The value may begin with "-" (a Z85 key can): the word after the flag is its value
    # whatever it looks like (see join_dashed_values).
    dashed_value: bool = False

    @property
    def dest(self) -> str:
        return self.name.lstrip("-").replace("-", "_")


def _hwm(sock: Any, value: int) -> None:
    sock.sndhwm = value
    sock.rcvhwm = value


def _linger(sock: Any, value: int) -> None:
    sock.linger = value


def _identity(sock: Any, value: str) -> None:
    sock.routing_id = value.encode()


def _heartbeat(sock: Any, value: int) -> None:
    sock.heartbeat_ivl = value


def _ipv6(sock: Any, value: bool) -> None:
    sock.ipv6 = 1


def _curve_secretkey(sock: Any, key: str) -> None:
    sock.curve_secretkey = key.encode()
    sock.curve_publickey = zmq.curve_public(key.encode())


def _certificate(flag: str, path: str) -> tuple[bytes, bytes | None]:
    """The keys of a certificate file (purezmq keygen's, czmq's, zmq.auth's)."""
    from ..auth.certs import load_certificate

    try:
        return load_certificate(path)
    except (OSError, ValueError) as exc:
        raise Usage(f"{flag}: {exc}") from None


def _curve_keypair(sock: Any, path: str) -> None:
    public, secret = _certificate("--curve-keypair", path)
    if secret is None:
        raise Usage(f"--curve-keypair: {path} is a public certificate; give NAME.key_secret")
    sock.curve_publickey, sock.curve_secretkey = public, secret


def _curve_serverkey(sock: Any, key: str) -> None:
    """``key``: 40 characters of Z85, or the server's certificate file."""
    is_file = os.path.isfile(key)
    public = _certificate("--curve-serverkey", key)[0] if is_file else key.encode()
    if sock.mechanism != zmq.CURVE:  # no key pair given: one of its own
        sock.curve_publickey, sock.curve_secretkey = zmq.curve_keypair()
    sock.curve_serverkey = public


def _curve_server(sock: Any, value: bool) -> None:
    if sock.mechanism != zmq.CURVE:
        raise Usage(
            "--curve-server needs --curve-secretkey or --curve-keypair (see: purezmq keygen)"
        )
    sock.curve_server = True


def _plain_user(sock: Any, credentials: str) -> None:
    user, colon, password = credentials.partition(":")
    if not colon or not user or not password:
        raise Usage("--plain takes USER:PASSWORD")
    sock.plain_username, sock.plain_password = user.encode(), password.encode()


def _plain_server(sock: Any, value: bool) -> None:
    sock.plain_server = True


def _subscribe(sock: Any, topics: list[str]) -> None:
    if sock.type == SUB:
        for topic in topics:
            sock.subscribe(topic.encode())
    elif sock.type == XSUB:
        for topic in topics:
            sock.send(b"\x01" + topic.encode())  # XSUB subscribes by sending
    else:
        raise Usage("--subscribe applies to sub and xsub sockets only")


SOCKET_FLAGS: tuple[Flag, ...] = (
    Flag("--hwm", "send and receive high-water marks (messages)", _hwm,
         {"type": int, "metavar": "N"}),
    Flag("--linger", "ms to go on sending what is queued at exit (-1: until sent; default:"
         " until sent after a normal end, nothing after an error or a signal)", _linger,
         {"type": int, "metavar": "MS"}),
    Flag("--identity", "the socket's routing id (ROUTING_ID), as text", _identity,
         {"metavar": "ID"}),
    Flag("--subscribe", "sub, xsub: subscribe to TOPIC, a prefix (repeatable; default: all)",
         _subscribe, {"action": "append", "metavar": "TOPIC"}),
    Flag("--heartbeat", "send ZMTP PINGs every MS ms, drop a peer silent that long",
         _heartbeat, {"type": int, "metavar": "MS"}),
    Flag("--ipv6", "allow IPv6 (tcp)", _ipv6, {"action": "store_true"}),
    # Security: CURVE (the keys as 40 characters of Z85) and PLAIN. A server's clients
    # are vetted by a ZAP handler in the same process, if any (purezmq.auth).
    Flag("--curve-secretkey", "CURVE: our long-term secret key (Z85; purezmq keygen)",
         _curve_secretkey, {"metavar": "KEY"}, dashed_value=True),
    Flag("--curve-keypair", "CURVE: our long-term key pair, from a certificate file"
         " (NAME.key_secret, as purezmq keygen and zmq.auth write it)",
         _curve_keypair, {"metavar": "FILE"}, dashed_value=True),
    Flag("--curve-serverkey", "CURVE client of the server with this public key (Z85, or"
         " the server's certificate file NAME.key)", _curve_serverkey, {"metavar": "KEY"},
         dashed_value=True),
    Flag("--curve-server", "CURVE server, with --curve-secretkey or --curve-keypair",
         _curve_server, {"action": "store_true"}),
    Flag("--plain", "PLAIN client with these credentials", _plain_user,
         {"metavar": "USER:PASSWORD"}, aliases=("--plain-user",), dashed_value=True),
    Flag("--plain-server", "PLAIN server (needs a ZAP handler to admit anyone)",
         _plain_server, {"action": "store_true"}),
)


def add_socket_flags(parser: argparse.ArgumentParser, only: tuple[str, ...] = ()) -> None:
    """Add the socket option flags (or those named in ``only``) to ``parser``."""
    group = parser.add_argument_group("socket options")
    for flag in SOCKET_FLAGS:
        if not only or flag.name in only:
            group.add_argument(flag.name, *flag.aliases, help=flag.help, **flag.kwargs)


def join_dashed_values(argv: list[str]) -> list[str]:
    """``argv`` with each flag whose value may begin with "-" joined to the word after it.

    argparse takes ``--curve-secretkey -x…`` for two options, and one Z85 key in 85
    begins with "-"; ``--curve-secretkey=-x…`` is unambiguous. Words after ``--`` are
    left alone.
    """
    dashed = {name for flag in SOCKET_FLAGS if flag.dashed_value
              for name in (flag.name, *flag.aliases)}
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            return [*joined, word, *words]
        value = next(words, None) if word in dashed else None
        joined.append(word if value is None else f"{word}={value}")
    return joined


def configure(sock: Any, args: argparse.Namespace) -> None:
    """Apply every socket flag given in ``args`` to ``sock``.

    Where the command has ``--subscribe`` and none is given, sub and xsub subscribe to
    everything. A command without the flag (``proxy``) leaves its XSUB's subscriptions
    to its peers.
    """
    for flag in SOCKET_FLAGS:
        value = getattr(args, flag.dest, None)
        if value is not None and value is not False:
            flag.apply(sock, value)
    if hasattr(args, "subscribe") and not args.subscribe and sock.type in (SUB, XSUB):
        _subscribe(sock, [""])
