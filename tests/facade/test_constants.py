"""purezmq.constants against pyzmq's zmq.constants: same names, same values, same types."""

from __future__ import annotations

import enum

import pytest
import zmq.constants as ref

import purezmq.constants as pz

REF_NAMES = sorted(ref.__all__)
REF_ENUMS = sorted(
    name
    for name in ref.__all__
    if isinstance(getattr(ref, name), enum.EnumMeta)
    and getattr(ref, name).__module__ == ref.__name__
)


def test_all_lists_exactly_pyzmqs_names() -> None:
    """__all__ holds every public name pyzmq's constants module has, and no other."""
    assert sorted(pz.__all__) == REF_NAMES


def test_every_name_in_all_is_defined() -> None:
    missing = [name for name in pz.__all__ if not hasattr(pz, name)]
    assert missing == []


@pytest.mark.parametrize("name", REF_NAMES)
def test_flat_name_matches_pyzmq(name: str) -> None:
    """Each flat name has pyzmq's value and belongs to the enum of the same name."""
    ours, theirs = getattr(pz, name), getattr(ref, name)
    if isinstance(theirs, enum.EnumMeta):
        assert isinstance(ours, enum.EnumMeta)
        return
    assert ours == theirs
    assert int(ours) == int(theirs)
    assert type(ours).__name__ == type(theirs).__name__


@pytest.mark.parametrize("enum_name", REF_ENUMS)
def test_enum_members_match_pyzmq(enum_name: str) -> None:
    """Member names (aliases included) and values equal pyzmq's, and aliases stay aliases."""
    ours: type[enum.Enum] = getattr(pz, enum_name)
    theirs: type[enum.Enum] = getattr(ref, enum_name)
    assert {name: member.value for name, member in ours.__members__.items()} == {
        name: member.value for name, member in theirs.__members__.items()
    }
    assert [member.name for member in ours] == [member.name for member in theirs]
    assert issubclass(ours, enum.IntFlag) == issubclass(theirs, enum.IntFlag)


@pytest.mark.parametrize("name", sorted(ref.SocketOption.__members__))
def test_socket_option_type_matches_pyzmq(name: str) -> None:
    ours = pz.SocketOption[name]
    assert ours._opt_type.value == ref.SocketOption[name]._opt_type.value
    assert ours._opt_type is pz._OptType(ours._opt_type.value)


def test_option_types_the_socket_layer_relies_on() -> None:
    assert pz.SNDHWM._opt_type is pz._OptType.int
    assert pz.AFFINITY._opt_type is pz._OptType.int64
    assert pz.MAXMSGSIZE._opt_type is pz._OptType.int64
    assert pz.IDENTITY._opt_type is pz._OptType.bytes
    assert pz.SUBSCRIBE._opt_type is pz._OptType.bytes
    assert pz.FD._opt_type is pz._OptType.fd


def test_aliases_are_the_same_member() -> None:
    assert pz.SocketOption["IDENTITY"] is pz.SocketOption["ROUTING_ID"]
    assert pz.CONNECT_RID is pz.CONNECT_ROUTING_ID
    assert pz.DELAY_ATTACH_ON_CONNECT is pz.IMMEDIATE
    assert pz.NOBLOCK is pz.DONTWAIT
    assert pz.XREQ is pz.DEALER
    assert pz.XREP is pz.ROUTER
    assert pz.EVENT_ALL is pz.EVENT_ALL_V1
    assert pz.THREAD_PRIORITY is pz.SOCKET_LIMIT


def test_values_behave_as_ints_and_flags() -> None:
    assert pz.REQ == 3 and isinstance(pz.REQ, int)
    assert pz.DONTWAIT | pz.SNDMORE == 3
    assert isinstance(pz.POLLIN | pz.POLLOUT, pz.PollEvent)
    assert pz.EVENT_ALL_V2 == pz.EVENT_ALL_V1 | pz.EVENT_PIPES_STATS
    assert pz.SocketType(4) is pz.REP
    assert pz.SocketOption(23) is pz.SNDHWM


def test_protocol_error_codes_are_members_not_combinations() -> None:
    """A code whose bits overlap an event mask still looks up as its own member."""
    code = pz.Event(0x10000001)
    assert code is pz.PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
    assert code.name == "PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND"


def test_libzmq_errnos_sit_above_hausnumero() -> None:
    assert pz.EFSM == 156384712 + 51
    assert pz.ETERM == 156384712 + 53
    assert pz.EMTHREAD == 156384712 + 54
