"""purezmq.curve_keypair / curve_public / has("curve"), against pyzmq's."""

from __future__ import annotations

import errno
import subprocess
import sys

import pytest
import zmq as pyzmq

import purezmq
from purezmq.utils import z85


def _without_pynacl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nacl", None)
    monkeypatch.setitem(sys.modules, "nacl.bindings", None)


def test_keypair_is_z85_and_agrees_with_libzmq() -> None:
    """40-octet Z85 keys; libzmq derives the same public key from our secret, and we from its."""
    pytest.importorskip("nacl.bindings")
    public, secret = purezmq.curve_keypair()
    assert type(public) is bytes and type(secret) is bytes
    assert len(public) == len(secret) == 40
    assert len(z85.decode(public)) == 32
    assert purezmq.curve_public(secret) == public
    assert pyzmq.curve_public(secret) == public
    their_public, their_secret = pyzmq.curve_keypair()
    assert purezmq.curve_public(their_secret.decode()) == their_public


def test_curve_public_checks_its_argument() -> None:
    """A secret that is not 40 octets of Z85 is a ValueError, as in pyzmq."""
    pytest.importorskip("nacl.bindings")
    with pytest.raises(ValueError, match="40 byte"):
        purezmq.curve_public(b"short")
    with pytest.raises(ValueError):
        purezmq.curve_public(b"~" * 40)


def test_without_pynacl(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PyNaCl: has("curve") is False and the key functions raise ENOTSUP naming the extra."""
    _without_pynacl(monkeypatch)
    assert purezmq.has("curve") is False
    with pytest.raises(purezmq.ZMQError, match=r"pip install 'purezmq\[curve\]'") as info:
        purezmq.curve_keypair()
    assert info.value.errno == errno.ENOTSUP
    with pytest.raises(purezmq.ZMQError) as info:
        purezmq.curve_public(b"0" * 40)
    assert info.value.errno == errno.ENOTSUP


def test_import_does_not_load_pynacl() -> None:
    """`import purezmq` leaves PyNaCl alone; has("curve") imports it on demand."""
    code = "import sys, purezmq; print('nacl' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr
