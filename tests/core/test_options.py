"""The option table against libzmq, through pyzmq: ids, defaults, and what is refused.

pyzmq is only used as an oracle here: a fresh pyzmq socket says what libzmq's
default is and whether libzmq accepts a value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import zmq

from purezmq.core.errors import EINVAL, CoreError
from purezmq.core.options import _SPECS, BY_ID, BY_NAME, INT64, Options, OptionSpec, check_value
from purezmq.core.sockets import SOCKET_TYPES, make_socket

WRITABLE = [s for s in _SPECS if not s.readonly and not s.per_type and not s.unsupported]
# Accepted only at their default until purezmq implements them.
UNSUPPORTED = [s for s in _SPECS if s.unsupported]
# libzmq (4.x) cannot read these back: HWM is a pyzmq-side alias, the others are
# write-only; ROUTER_NOTIFY is a draft option that pyzmq's libzmq is built without.
UNREADABLE_IN_LIBZMQ = {
    "HWM",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "ROUTER_MANDATORY",
    "CONNECT_ROUTING_ID",
    "XPUB_MANUAL",
    "ROUTER_NOTIFY",
    "STREAM_NOTIFY",
    "TOPICS_COUNT",  # readable on publishers and subscribers only (the reference is a DEALER)
}
INT_CANDIDATES = [-(2**31), -1000, -3, -2, -1, 0, 1, 2, 3, 1000, 2**31 - 1]
BYTES_CANDIDATES = [b"", b"a", b"x" * 255, b"x" * 256]
# Per-type options with values libzmq accepts or refuses depending on the socket type.
PER_TYPE = [(6, b"topic"), (7, b"topic"), (33, 0), (33, 1), (40, 0), (40, 1)]


def ids(specs: list[OptionSpec]) -> list[str]:
    return [s.name for s in specs]


@pytest.fixture(scope="module")
def zctx() -> Iterator[zmq.Context[Any]]:
    context: zmq.Context[Any] = zmq.Context()
    yield context
    context.destroy(linger=0)


def libzmq_accepts(zctx: zmq.Context[Any], socket_type: int, option: int, value: Any) -> bool:
    sock = zctx.socket(socket_type)
    try:
        sock.setsockopt(option, value)
    except zmq.ZMQError:
        return False
    finally:
        sock.close(linger=0)
    return True


def libzmq_reads_back(zctx: zmq.Context[Any], option: int, value: Any) -> Any:
    """What libzmq returns for ``option`` after it was set to ``value`` (mostly ``value``)."""
    sock = zctx.socket(zmq.DEALER)
    try:
        sock.setsockopt(option, value)
        return sock.getsockopt(option)
    finally:
        sock.close(linger=0)


def assert_einval(option: int, value: Any, name: str) -> None:
    with pytest.raises(CoreError) as info:
        make_socket(5).set_option(option, value)
    assert info.value.errno == EINVAL
    assert name in str(info.value.msg), info.value.msg


# -- ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec", _SPECS, ids=ids(_SPECS))
def test_option_id_is_pyzmqs(spec: OptionSpec) -> None:
    """Each option id equals pyzmq's zmq.SocketOption[name] (libzmq include/zmq.h)."""
    assert zmq.SocketOption[spec.name].value == spec.id


def test_table_has_no_duplicates() -> None:
    """One entry per id and per name."""
    assert len(BY_ID) == len(_SPECS) == len(BY_NAME)


@pytest.mark.parametrize("type_id", sorted(SOCKET_TYPES))
def test_socket_type_id_is_pyzmqs(type_id: int) -> None:
    """Each socket type number equals pyzmq's zmq.SocketType[name]."""
    cls = SOCKET_TYPES[type_id]
    assert zmq.SocketType[cls.type_name].value == type_id == cls.type_id
    assert make_socket(type_id).get_option(16) == type_id


# -- defaults ------------------------------------------------------------------------


READABLE = [s for s in _SPECS if s.name not in UNREADABLE_IN_LIBZMQ]


@pytest.mark.parametrize("spec", READABLE, ids=ids(READABLE))
def test_default_is_libzmqs(zctx: zmq.Context[Any], spec: OptionSpec) -> None:
    """A fresh socket reports the value a fresh libzmq socket of its type reports, or
    refuses to, as pyzmq does (the CURVE keys)."""
    sock = zctx.socket(zmq.DEALER)
    try:
        expected = sock.getsockopt(spec.id)
    except zmq.ZMQError as exc:
        with pytest.raises(CoreError) as info:
            make_socket(zmq.DEALER).get_option(spec.id)
        assert info.value.errno == exc.errno
        return
    finally:
        sock.close(linger=0)
    assert make_socket(zmq.DEALER).get_option(spec.id) == expected


def test_table_defaults_are_the_stored_ones() -> None:
    """Options() starts every stored option at its table default."""
    options = Options(5)
    for spec in WRITABLE:
        if spec.default is not None:
            assert getattr(options, spec.name.lower()) == spec.default, spec.name


@pytest.mark.parametrize("type_id", sorted(SOCKET_TYPES))
def test_events_of_a_fresh_socket_are_libzmqs(zctx: zmq.Context[Any], type_id: int) -> None:
    """ZMQ_EVENTS with no peer matches libzmq (POLLOUT only for PUB, XPUB, XSUB, ROUTER)."""
    sock = zctx.socket(type_id)
    try:
        expected = sock.getsockopt(zmq.EVENTS)
    finally:
        sock.close(linger=0)
    assert make_socket(type_id).get_option(15) == expected


# -- values accepted ------------------------------------------------------------------


@pytest.mark.parametrize("spec", WRITABLE, ids=ids(WRITABLE))
def test_values_libzmq_accepts_round_trip(zctx: zmq.Context[Any], spec: OptionSpec) -> None:
    """A usual value libzmq accepts is stored and read back as libzmq reads it back."""
    # 32 octets: a CURVE key.
    byte_values = [b"a", b"x" * 255, bytes(range(1, 33))]
    values = byte_values if spec.kind == "bytes" else [-1, 0, 1, 1000, 2**31 - 1]
    tried = 0
    for value in values:
        if spec.name == "HWM" or not libzmq_accepts(zctx, zmq.DEALER, spec.id, value):
            continue
        sock = make_socket(5)
        sock.set_option(spec.id, value)
        try:
            expected = libzmq_reads_back(zctx, spec.id, value)
        except zmq.ZMQError as exc:
            if spec.name.startswith("CURVE_"):  # pyzmq never reads a key back, nor do we
                with pytest.raises(CoreError) as info:
                    sock.get_option(spec.id)
                assert info.value.errno == exc.errno
                tried += 1
            # else: pyzmq reads into 255 octets, and libzmq adds a NUL to a text option:
            # a 255-octet PLAIN_USERNAME set is one pyzmq cannot read back.
            continue
        assert sock.get_option(spec.id) == expected
        tried += 1
    assert tried or spec.name == "HWM"


@pytest.mark.parametrize("spec", UNSUPPORTED, ids=ids(UNSUPPORTED))
def test_unsupported_options_take_only_their_default(spec: OptionSpec) -> None:
    """SOCKS_PROXY, USE_FD: the default is accepted and read
    back; any other value libzmq would take is EINVAL naming the option and why."""
    sock = make_socket(5)
    sock.set_option(spec.id, spec.default)
    assert sock.get_option(spec.id) == spec.default
    other = b"a" if spec.kind == "bytes" else 1
    assert_einval(spec.id, other, spec.name)
    assert_einval(spec.id, other, spec.unsupported)


def test_hwm_sets_both_directions() -> None:
    """HWM (1) sets SNDHWM and RCVHWM, as pyzmq's Socket.hwm does."""
    sock = make_socket(5)
    sock.set_option(1, 7)
    assert sock.get_option(23) == 7
    assert sock.get_option(24) == 7


# -- values refused ----------------------------------------------------------------


@pytest.mark.parametrize("spec", WRITABLE, ids=ids(WRITABLE))
def test_values_libzmq_refuses_are_einval(zctx: zmq.Context[Any], spec: OptionSpec) -> None:
    """Every candidate value libzmq refuses raises CoreError(EINVAL) naming the option."""
    candidates = BYTES_CANDIDATES if spec.kind == "bytes" else INT_CANDIDATES
    socket_type = zmq.DEALER
    refused = [v for v in candidates if not libzmq_accepts(zctx, socket_type, spec.id, v)]
    if spec.name == "HWM":  # libzmq has no HWM option; SNDHWM's range applies
        refused = [v for v in candidates if v < 0]
    for value in refused:
        assert_einval(spec.id, value, spec.name)


@pytest.mark.parametrize("spec", WRITABLE, ids=ids(WRITABLE))
def test_out_of_range_for_its_c_type_is_einval(spec: OptionSpec) -> None:
    """A value that does not fit the option's C type (int or int64) is EINVAL."""
    if spec.kind == "bytes":
        assert_einval(spec.id, b"x" * 256, spec.name)
        return
    bits = 63 if spec.kind == INT64 else 31
    assert_einval(spec.id, 2**bits, spec.name)
    assert_einval(spec.id, -(2**bits) - 1, spec.name)


@pytest.mark.parametrize("spec", WRITABLE, ids=ids(WRITABLE))
def test_wrong_type_is_einval(spec: OptionSpec) -> None:
    """A value of the wrong Python type raises CoreError(EINVAL) naming the option."""
    wrong: list[Any] = ["abc", 5, None] if spec.kind == "bytes" else ["5", b"5", 1.5, None]
    for value in wrong:
        assert_einval(spec.id, value, spec.name)


READONLY = [s for s in _SPECS if s.readonly]


@pytest.mark.parametrize("spec", READONLY, ids=ids(READONLY))
def test_readonly_options_refuse_writes(spec: OptionSpec) -> None:
    """Setting a read-only option (TYPE, EVENTS, ...) is EINVAL naming it."""
    assert_einval(spec.id, spec.default, spec.name)


def test_unknown_option_is_einval() -> None:
    """An option id not in the table is refused for set and get."""
    sock = make_socket(5)
    for call in (lambda: sock.set_option(9999, 1), lambda: sock.get_option(9999)):
        with pytest.raises(CoreError) as info:
            call()
        assert info.value.errno == EINVAL
        assert "9999" in str(info.value.msg)


def test_check_value_returns_the_spec() -> None:
    """check_value gives back the table entry for a good value."""
    assert check_value(23, 10) is BY_NAME["SNDHWM"]


# -- options a socket type owns ------------------------------------------------------


@pytest.mark.parametrize(("option", "value"), PER_TYPE)
@pytest.mark.parametrize("type_id", sorted(SOCKET_TYPES))
def test_per_type_options_accepted_where_libzmq_accepts(
    zctx: zmq.Context[Any], type_id: int, option: int, value: Any
) -> None:
    """SUBSCRIBE, UNSUBSCRIBE, ROUTER_MANDATORY, XPUB_VERBOSE: accepted by the same types."""
    sock = make_socket(type_id)
    if libzmq_accepts(zctx, type_id, option, value):
        sock.set_option(option, value)
    else:
        with pytest.raises(CoreError) as info:
            sock.set_option(option, value)
        assert info.value.errno == EINVAL


@pytest.mark.parametrize(("type_id", "option"), [(6, 33), (9, 40), (1, 40)])
def test_flag_options_refuse_negative_values(type_id: int, option: int) -> None:
    """ROUTER_MANDATORY and XPUB_VERBOSE refuse a negative value, as libzmq does."""
    with pytest.raises(CoreError) as info:
        make_socket(type_id).set_option(option, -1)
    assert info.value.errno == EINVAL


def test_subscribe_takes_bytes() -> None:
    """SUBSCRIBE with a str (not bytes) is EINVAL naming the option."""
    with pytest.raises(CoreError) as info:
        make_socket(2).set_option(6, "topic")
    assert info.value.errno == EINVAL
    assert "SUBSCRIBE" in str(info.value.msg)


def test_named_ids_are_pyzmqs() -> None:
    """Every name in core.option_ids is pyzmq's constant of the same name, and every
    option in the table has its name there."""
    from purezmq.core.option_ids import Opt

    for opt in Opt:
        assert opt == getattr(zmq.SocketOption, opt.name), opt.name
    assert {spec.name for spec in _SPECS} <= set(Opt.__members__)
    assert all(Opt[spec.name] == spec.id for spec in _SPECS)
