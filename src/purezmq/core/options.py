"""Socket options: one table of id -> name, type, default and check (libzmq ``options.cpp``).

The numeric ids are libzmq's (``include/zmq.h``); ``tests/core/test_options.py``
checks them against pyzmq. Options a socket type handles itself (SUBSCRIBE,
ROUTER_MANDATORY, ...) are declared here too, with ``per_type=True``: the table
checks the value, and the socket type decides what it means. An option that
purezmq does not implement is rejected with EINVAL rather than silently
accepted and ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, NamedTuple

from .errors import EINVAL, CoreError

INT, INT64, BYTES = "int", "int64", "bytes"
INT_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


class OptionSpec(NamedTuple):
    """How one option is typed, defaulted and checked (a NamedTuple: see Endpoint's)."""

    id: int
    name: str
    kind: str
    default: Any
    check: Callable[[Any], bool] | None = None
    readonly: bool = False
    per_type: bool = False
    why: str = ""
    # Accepted and read back, as libzmq 4.3 does, but with no effect on purezmq's
    # transports (multicast, I/O thread affinity ...): see the README's option list.
    inert: bool = False
    # Stored as libzmq stores it (a flag: any int, read back as 0 or 1).
    store: Callable[[Any], Any] | None = None
    # Not implemented, and its absence would change behaviour silently: only the
    # default is accepted; any other value is EINVAL saying this.
    unsupported: str = ""


def _at_least(low: int) -> Callable[[Any], bool]:
    return lambda v: v >= low


def _deciseconds(ms: int) -> int:
    """Milliseconds to whole deciseconds, truncating toward zero as libzmq's C division."""
    return ms // 100 if ms >= 0 else -(-ms // 100)


def _routing_id_ok(v: bytes) -> bool:
    # libzmq: 1..255 octets; ids starting with a zero octet are reserved for generated ones.
    return 0 < len(v) <= 255 and v[0] != 0


# SUB and XSUB start with LINGER 0 in libzmq (xsub.cpp): their subscriptions are not
# worth waiting for.
_LINGER_ZERO = frozenset({2, 10})



class Security(enum.IntEnum):
    """The MECHANISM option's values (libzmq ZMQ_NULL, ZMQ_PLAIN, ZMQ_CURVE)."""

    NULL = 0
    PLAIN = 1
    CURVE = 2


CURVE_KEY_SIZE = 32
_CURVE_KEYS = frozenset({"CURVE_PUBLICKEY", "CURVE_SECRETKEY", "CURVE_SERVERKEY"})
# What setting each security option does to the mechanism and the role (libzmq 4.3
# options.cpp): (mechanism, as_server), None where it is left alone. PLAIN_SERVER and
# CURVE_SERVER are the exceptions: their value decides both (see Options._secure).
_SECURITY_EFFECT: dict[str, tuple[Security, int | None]] = {
    "PLAIN_USERNAME": (Security.PLAIN, 0),
    "PLAIN_PASSWORD": (Security.PLAIN, 0),
    "CURVE_PUBLICKEY": (Security.CURVE, None),
    "CURVE_SECRETKEY": (Security.CURVE, None),
    "CURVE_SERVERKEY": (Security.CURVE, 0),
}
_SERVER_FLAGS = {"PLAIN_SERVER": Security.PLAIN, "CURVE_SERVER": Security.CURVE}


def _flag(value: int) -> int:
    return int(bool(value))


def _credential(value: bytes) -> bool:
    return 0 < len(value) <= 255


def _curve_key(value: bytes) -> bool:
    # The facade turns a 40-character Z85 key into its 32 octets before it gets here.
    return len(value) == CURVE_KEY_SIZE


_SPECS = [
    OptionSpec(1, "HWM", INT, None, _at_least(0), why=">= 0"),
    OptionSpec(5, "ROUTING_ID", BYTES, b"", _routing_id_ok, why="1-255 bytes, not starting \\0"),
    OptionSpec(6, "SUBSCRIBE", BYTES, None, per_type=True),
    OptionSpec(7, "UNSUBSCRIBE", BYTES, None, per_type=True),
    OptionSpec(11, "SNDBUF", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(12, "RCVBUF", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(13, "RCVMORE", INT, 0, readonly=True),
    OptionSpec(15, "EVENTS", INT, 0, readonly=True),
    OptionSpec(16, "TYPE", INT, 0, readonly=True),
    OptionSpec(17, "LINGER", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(18, "RECONNECT_IVL", INT, 100, _at_least(-1), why=">= -1"),
    OptionSpec(19, "BACKLOG", INT, 100, _at_least(0), why=">= 0"),
    OptionSpec(21, "RECONNECT_IVL_MAX", INT, 0, _at_least(0), why=">= 0"),
    OptionSpec(22, "MAXMSGSIZE", INT64, -1, _at_least(-1), why=">= -1"),
    OptionSpec(23, "SNDHWM", INT, 1000, _at_least(0), why=">= 0"),
    OptionSpec(24, "RCVHWM", INT, 1000, _at_least(0), why=">= 0"),
    OptionSpec(27, "RCVTIMEO", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(28, "SNDTIMEO", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(32, "LAST_ENDPOINT", BYTES, b"", readonly=True),
    OptionSpec(33, "ROUTER_MANDATORY", INT, 0, per_type=True),
    OptionSpec(34, "TCP_KEEPALIVE", INT, -1, lambda v: v in (-1, 0, 1), why="-1, 0 or 1"),
    OptionSpec(35, "TCP_KEEPALIVE_CNT", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(36, "TCP_KEEPALIVE_IDLE", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(37, "TCP_KEEPALIVE_INTVL", INT, -1, _at_least(-1), why=">= -1"),
    OptionSpec(39, "IMMEDIATE", INT, 0, lambda v: v in (0, 1), why="0 or 1"),
    OptionSpec(42, "IPV6", INT, 0, lambda v: v in (0, 1), why="0 or 1"),
    OptionSpec(43, "MECHANISM", INT, 0, readonly=True),
    OptionSpec(66, "HANDSHAKE_IVL", INT, 30000, _at_least(0), why=">= 0"),
    OptionSpec(79, "CONNECT_TIMEOUT", INT, 0, _at_least(0), why=">= 0"),
    OptionSpec(61, "CONNECT_ROUTING_ID", BYTES, None, per_type=True),
    OptionSpec(71, "XPUB_MANUAL", INT, None, per_type=True),
    OptionSpec(97, "ROUTER_NOTIFY", INT, None, per_type=True),
    # STREAM's; libzmq refuses to read it back, as does this table (per_type).
    OptionSpec(73, "STREAM_NOTIFY", INT, None, per_type=True),
    # Bits of ReconnectStop; libzmq stores any int and tests only the bits it knows.
    OptionSpec(109, "RECONNECT_STOP", INT, 0),
    OptionSpec(54, "CONFLATE", INT, 0, lambda v: v in (0, 1), why="0 or 1"),
    OptionSpec(75, "HEARTBEAT_IVL", INT, 0, _at_least(0), why=">= 0"),
    # The TTL travels in deciseconds in a 16-bit field (RFC 37 PING); libzmq keeps it
    # rounded down to whole deciseconds, negative values as 0.
    OptionSpec(
        76, "HEARTBEAT_TTL", INT, 0, lambda v: 0 <= _deciseconds(v) <= 0xFFFF, why="-99..6553599 ms"
    ),
    # -1 (the default) means "the interval"; libzmq lets it be read but not set.
    OptionSpec(77, "HEARTBEAT_TIMEOUT", INT, -1, _at_least(0), why=">= 0"),
    # Applied to tcp sockets (IP_TOS / IPV6_TCLASS, SO_BINDTODEVICE).
    OptionSpec(57, "TOS", INT, 0, _at_least(0), why=">= 0"),
    OptionSpec(92, "BINDTODEVICE", BYTES, b"", lambda v: 0 < len(v) < 16,
               why="an interface name of 1-15 bytes"),
    # The inverse of IPV6 (libzmq's older name).
    OptionSpec(31, "IPV4ONLY", INT, 1, lambda v: v in (0, 1), why="0 or 1"),
    OptionSpec(81, "THREAD_SAFE", INT, 0, readonly=True),
    OptionSpec(116, "TOPICS_COUNT", INT, None, readonly=True, per_type=True),
    # Publishers and subscribers act on it (their types read it first); libzmq stores it
    # for every type.
    OptionSpec(74, "INVERT_MATCHING", INT, 0, store=_flag),
    # libzmq reads these; they only concern transports and threads purezmq has not.
    OptionSpec(4, "AFFINITY", INT64, 0, inert=True),
    OptionSpec(8, "RATE", INT, 100, _at_least(1), why=">= 1", inert=True),
    OptionSpec(9, "RECOVERY_IVL", INT, 10000, _at_least(0), why=">= 0", inert=True),
    OptionSpec(25, "MULTICAST_HOPS", INT, 1, _at_least(1), why=">= 1", inert=True),
    OptionSpec(84, "MULTICAST_MAXTPDU", INT, 1500, _at_least(1), why=">= 1", inert=True),
    OptionSpec(96, "MULTICAST_LOOP", INT, 1, store=_flag, inert=True),
    OptionSpec(80, "TCP_MAXRT", INT, 0, _at_least(0), why=">= 0", inert=True),
    OptionSpec(94, "LOOPBACK_FASTPATH", INT, 0, store=_flag, inert=True),
    # Not there yet, and a socket would behave otherwise without them: only their
    # defaults are accepted.
    OptionSpec(68, "SOCKS_PROXY", BYTES, b"", unsupported="purezmq has no SOCKS proxy client"),
    OptionSpec(99, "SOCKS_USERNAME", BYTES, b"", unsupported="purezmq has no SOCKS proxy client"),
    OptionSpec(100, "SOCKS_PASSWORD", BYTES, b"", unsupported="purezmq has no SOCKS proxy client"),
    OptionSpec(89, "USE_FD", INT, -1, unsupported="purezmq does not adopt descriptors"),
    # Security (RFC 24, 25/26, 27). The *_SERVER flags are read back from the mechanism
    # and the role, as libzmq does; the CURVE keys cannot be read back through pyzmq
    # (libzmq wants a 32- or 41-octet buffer, pyzmq offers 255), so neither here.
    OptionSpec(44, "PLAIN_SERVER", INT, 0, lambda v: v in (0, 1), why="0 or 1"),
    OptionSpec(45, "PLAIN_USERNAME", BYTES, b"", _credential, why="1-255 bytes"),
    OptionSpec(46, "PLAIN_PASSWORD", BYTES, b"", _credential, why="1-255 bytes"),
    OptionSpec(47, "CURVE_SERVER", INT, 0, lambda v: v in (0, 1), why="0 or 1"),
    OptionSpec(48, "CURVE_PUBLICKEY", BYTES, b"", _curve_key, why="40 Z85 characters or 32 bytes"),
    OptionSpec(49, "CURVE_SECRETKEY", BYTES, b"", _curve_key, why="40 Z85 characters or 32 bytes"),
    OptionSpec(50, "CURVE_SERVERKEY", BYTES, b"", _curve_key, why="40 Z85 characters or 32 bytes"),
    OptionSpec(55, "ZAP_DOMAIN", BYTES, b"", _credential, why="1-255 bytes"),
    OptionSpec(93, "ZAP_ENFORCE_DOMAIN", INT, 0, store=_flag),
]

BY_ID: dict[int, OptionSpec] = {spec.id: spec for spec in _SPECS}
BY_NAME: dict[str, OptionSpec] = {spec.name: spec for spec in _SPECS}
# Options kept as attributes of Options (the others are read-only or per type).
_STORED = [s for s in _SPECS if not s.readonly and not s.per_type and s.default is not None]


def check_value(option: int, value: Any) -> OptionSpec:
    """Validate ``value`` for ``option``; CoreError(EINVAL) naming both otherwise."""
    spec = BY_ID.get(option)
    if spec is None:
        if not isinstance(value, int):
            # libzmq takes an unknown option's value as an int: pyzmq refuses other types.
            raise OptionTypeError(f"unknown socket option {option} takes an int")
        raise CoreError(EINVAL, f"unknown or unsupported socket option {option}")
    if spec.readonly:
        raise CoreError(EINVAL, f"socket option {spec.name} is read-only")
    if spec.kind == BYTES:
        if not isinstance(value, bytes):
            raise OptionTypeError(
                f"socket option {spec.name} takes bytes, not {type(value).__name__}"
            )
    else:
        if not isinstance(value, int):
            raise OptionTypeError(
                f"socket option {spec.name} takes an int, not {type(value).__name__}"
            )
        limit = INT64_MAX if spec.kind == INT64 else INT_MAX
        if not -limit - 1 <= value <= limit:
            raise CoreError(EINVAL, f"socket option {spec.name}: {value} is out of range")
    if spec.unsupported and value != spec.default:
        raise CoreError(EINVAL, f"socket option {spec.name}: {spec.unsupported}")
    if spec.check is not None and not spec.check(value):
        raise CoreError(EINVAL, f"socket option {spec.name}: invalid value {value!r} ({spec.why})")
    return spec


class OptionTypeError(CoreError):
    """A value of the wrong Python type (pyzmq raises TypeError; we raise both)."""

    def __init__(self, msg: str) -> None:
        super().__init__(EINVAL, msg)


class Options:
    """The option values of one socket, as attributes named after the option in lower case."""

    sndhwm: int
    rcvhwm: int
    linger: int
    rcvtimeo: int
    sndtimeo: int
    routing_id: bytes
    reconnect_ivl: int
    reconnect_ivl_max: int
    backlog: int
    maxmsgsize: int
    immediate: int
    ipv6: int
    sndbuf: int
    rcvbuf: int
    tcp_keepalive: int
    tcp_keepalive_cnt: int
    tcp_keepalive_idle: int
    tcp_keepalive_intvl: int
    handshake_ivl: int
    connect_timeout: int
    conflate: int
    heartbeat_ivl: int
    heartbeat_ttl: int
    heartbeat_timeout: int
    reconnect_stop: int
    tos: int
    bindtodevice: bytes
    plain_username: bytes
    plain_password: bytes
    curve_publickey: bytes
    curve_secretkey: bytes
    curve_serverkey: bytes
    zap_domain: bytes
    zap_enforce_domain: int
    # MECHANISM and whether this socket is the server of its mechanism (libzmq's
    # options_t::mechanism and as_server), moved by the security options above.
    mechanism: Security
    as_server: int

    def __init__(self, socket_type: int, **overrides: Any) -> None:
        self.socket_type = socket_type
        self.last_endpoint = b""
        self.mechanism = Security.NULL
        self.as_server = 0
        for spec in _STORED:
            if spec.name not in _SERVER_FLAGS:
                setattr(self, spec.name.lower(), spec.default)
        if socket_type in _LINGER_ZERO:
            self.linger = 0
        for name, value in overrides.items():
            setattr(self, name, value)

    def set(self, option: int, value: Any) -> None:
        """Validate and store a generic option (socket types handle their own first)."""
        spec = check_value(option, value)
        if spec.name == "HWM":
            self.sndhwm = self.rcvhwm = value
            return
        if spec.per_type:
            raise CoreError(EINVAL, f"socket option {spec.name} does not apply to this socket type")
        if spec.name == "HEARTBEAT_TTL":
            value = _deciseconds(value) * 100
        if spec.name == "IPV4ONLY":
            self.ipv6 = 1 - value
            return
        if spec.store is not None:
            value = spec.store(value)
        if spec.name in _SERVER_FLAGS or spec.name in _SECURITY_EFFECT:
            self._secure(spec.name, value)
        if spec.name not in _SERVER_FLAGS:
            setattr(self, spec.name.lower(), value)

    def _secure(self, name: str, value: Any) -> None:
        """Move the mechanism and the role as setting ``name`` does in libzmq."""
        server_of = _SERVER_FLAGS.get(name)
        if server_of is not None:
            self.as_server = value
            self.mechanism = server_of if value else Security.NULL
            return
        self.mechanism, as_server = _SECURITY_EFFECT[name]
        if as_server is not None:
            self.as_server = as_server

    @property
    def plain_server(self) -> int:
        """PLAIN_SERVER as libzmq reads it back: a PLAIN server now."""
        return int(bool(self.as_server) and self.mechanism is Security.PLAIN)

    @property
    def curve_server(self) -> int:
        """CURVE_SERVER as libzmq reads it back: a CURVE server now."""
        return int(bool(self.as_server) and self.mechanism is Security.CURVE)

    def pipe_hwms(self) -> tuple[int, int]:
        """(out, in) HWMs for a new pipe: SNDHWM and RCVHWM, or both conflated (CONFLATE)."""
        if self.conflate:
            return -1, -1  # pipe.CONFLATE: keep only the newest message
        return self.sndhwm, self.rcvhwm

    def get(self, option: int) -> Any:
        """The stored value of a generic option; EINVAL for unknown ones."""
        spec = BY_ID.get(option)
        if spec is None or spec.per_type or spec.name == "HWM":
            raise CoreError(EINVAL, f"unknown or unsupported socket option {option}")
        if spec.name == "IPV4ONLY":
            return 1 - self.ipv6
        if spec.name in _CURVE_KEYS:
            raise CoreError(EINVAL, f"socket option {spec.name} cannot be read back (as in pyzmq)")
        if spec.name == "MECHANISM":
            return int(self.mechanism)
        if spec.readonly:
            return spec.default
        return getattr(self, spec.name.lower())
