"""purezmq.error against pyzmq's zmq.error: classes, messages, errno mapping."""

from __future__ import annotations

import errno
import inspect
import pickle

import pytest
import zmq
import zmq.error as ref

import purezmq.error as pz
from purezmq.constants import Errno

ALL_ERRNOS = list(Errno)


@pytest.mark.parametrize("number", [*ALL_ERRNOS, 0, errno.ENOENT, errno.EINTR, 99999, -1])
def test_strerror_matches_libzmq(number: int) -> None:
    """libzmq's own texts for its errnos, the C library's for the rest."""
    assert pz.strerror(number) == zmq.strerror(number)


def test_strerror_of_libzmq_errors() -> None:
    assert pz.strerror(Errno.EFSM) == "Operation cannot be accomplished in current state"
    assert pz.strerror(Errno.ETERM) == "Context was terminated"
    assert pz.strerror(Errno.EMTHREAD) == "No thread available"
    assert pz.strerror(Errno.EHOSTUNREACH) == "Host unreachable"


def test_strerror_survives_out_of_range_numbers() -> None:
    assert pz.strerror(2**70) == f"Unknown error {2**70}"


@pytest.mark.parametrize("number", ALL_ERRNOS)
def test_zmqerror_reads_like_pyzmqs(number: Errno) -> None:
    ours, theirs = pz.ZMQError(number), ref.ZMQError(number)
    assert ours.errno == theirs.errno == number
    assert ours.strerror == theirs.strerror
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
    assert ours.args == theirs.args


def test_zmqerror_with_message() -> None:
    error = pz.ZMQError(Errno.EINVAL, "bad endpoint 'tcp://'")
    assert error.errno == Errno.EINVAL
    assert str(error) == "bad endpoint 'tcp://'"
    assert repr(error) == "ZMQError('bad endpoint 'tcp://'')"
    assert error.args == ref.ZMQError(Errno.EINVAL, "bad endpoint 'tcp://'").args


def test_zmqerror_without_a_number() -> None:
    assert pz.ZMQError("weird").errno is None  # type: ignore[arg-type]
    assert str(pz.ZMQError("weird")) == str(ref.ZMQError("weird"))  # type: ignore[arg-type]
    assert pz.ZMQError(msg="no number").errno is None
    assert str(pz.ZMQError(msg="no number")) == "no number"
    assert str(pz.ZMQError()) == "Unknown error"


@pytest.mark.parametrize(
    ("cls", "number"),
    [(pz.Again, Errno.EAGAIN), (pz.ContextTerminated, Errno.ETERM)],
)
def test_errno_subclasses_ignore_their_arguments(cls: type[pz.ZMQError], number: int) -> None:
    theirs = getattr(ref, cls.__name__)()
    for error in (cls(), cls(12345, "ignored text")):
        assert isinstance(error, pz.ZMQError)
        assert error.errno == number
        assert str(error) == str(theirs)
        assert repr(error) == repr(theirs)


def test_interrupted_system_call() -> None:
    error = pz.InterruptedSystemCall()
    assert isinstance(error, pz.ZMQError)
    assert isinstance(error, InterruptedError)
    assert error.errno == errno.EINTR
    assert str(error) == (
        "Interrupted system call: This call should have been retried. "
        "Please report this to purezmq."
    )


def test_class_hierarchy_matches_pyzmq() -> None:
    """Every pyzmq error class exists, with the same bases (by name)."""
    for name in ref.__all__:
        ours, theirs = getattr(pz, name), getattr(ref, name)
        assert [base.__name__ for base in ours.__mro__] == [
            base.__name__ for base in theirs.__mro__
        ], name
    assert not issubclass(pz.NotDone, pz.ZMQError)
    assert not issubclass(pz.ZMQBindError, pz.ZMQError)


def test_constructor_signatures_match_pyzmq() -> None:
    for name in ("ZMQError", "Again", "ContextTerminated", "InterruptedSystemCall"):
        ours = inspect.signature(getattr(pz, name))
        theirs = inspect.signature(getattr(ref, name))
        assert list(ours.parameters) == list(theirs.parameters), name


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (Errno.EAGAIN, "Again"),
        (Errno.ETERM, "ContextTerminated"),
        (errno.EINTR, "InterruptedSystemCall"),
        (Errno.EFSM, "ZMQError"),
        (Errno.EINVAL, "ZMQError"),
        (Errno.EHOSTUNREACH, "ZMQError"),
    ],
)
def test_error_for_errno_picks_pyzmqs_class(number: int, expected: str) -> None:
    """The class matches what pyzmq's _check_rc raises for the same errno."""
    with pytest.raises(ref.ZMQError) as theirs:
        ref._check_rc(-1, number)
    error = pz.error_for_errno(number)
    assert type(error).__name__ == type(theirs.value).__name__ == expected
    assert error.errno == number
    assert str(error).startswith(pz.strerror(number))


@pytest.mark.parametrize("number", [Errno.EAGAIN, Errno.ETERM, Errno.EFSM])
def test_error_for_errno_keeps_a_message(number: int) -> None:
    error = pz.error_for_errno(number, "no peer to send to")
    assert str(error) == "no peer to send to"
    assert error.errno == number


def test_raise_for_errno_raises_the_mapped_error() -> None:
    with pytest.raises(pz.Again) as caught:
        pz.raise_for_errno(Errno.EAGAIN)
    assert caught.value.errno == Errno.EAGAIN
    with pytest.raises(pz.ZMQError) as caught_fsm:
        pz.raise_for_errno(Errno.EFSM, "recv before send")
    assert type(caught_fsm.value) is pz.ZMQError
    assert str(caught_fsm.value) == "recv before send"


@pytest.mark.parametrize("error", [pz.ZMQError(Errno.EFSM), pz.Again(), pz.ContextTerminated()])
def test_errors_pickle(error: pz.ZMQError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.errno == error.errno
    assert str(copy) == str(error)


def test_version_error() -> None:
    error = pz.ZMQVersionError("4.5", "Thing")
    assert isinstance(error, NotImplementedError)
    assert (error.min_version, error.msg) == ("4.5", "Thing")
    assert str(error) == f"Thing requires libzmq >= 4.5, have {error.version}"
    assert repr(error) == f"ZMQVersionError('{error}')"
    assert pz.ZMQVersionError("4.5").msg == "Feature"
