"""The smaller pyzmq modules: zmq.tests, backend.select, _future, curve_keygen, and
zmq.asyncio's deprecated loop helpers."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import unittest
import warnings
from typing import Any

import pytest

import purezmq as zmq
import purezmq.asyncio as azmq
from purezmq import _future
from purezmq.backend.select import public_api, select_backend
from purezmq.eventloop import future

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from purezmq import tests as ztests


def _run(*cases: type[unittest.TestCase]) -> unittest.TestResult:
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.loadTestsFromTestCase(case) for case in cases
    )
    return unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)


def test_base_test_case_pairs_and_cleans_up() -> None:
    made: list[Any] = []

    class Case(ztests.BaseZMQTestCase):
        def test_pairs(self) -> None:
            a, b = self.create_bound_pair(zmq.PUSH, zmq.PULL)
            made.extend([a, b, self.socket(zmq.PUB), self.context])
            a.send(b"x")
            self.assertEqual(self.recv(b), b"x")
            p, q = self.create_bound_pair()
            self.assertEqual(self.ping_pong(p, q, b"pp"), b"pp")
            self.assertEqual(self.ping_pong_json(p, q, {"j": [1]}), {"j": [1]})
            self.assertEqual(self.ping_pong_pyobj(p, q, {1, 2}), {1, 2})
            self.assertRaisesErrno(zmq.EAGAIN, b.recv, zmq.NOBLOCK)

        def test_wrong_errno_fails(self) -> None:
            self.assertRaisesErrno(zmq.EINVAL, self.socket(zmq.PULL).recv, zmq.NOBLOCK)

        def test_nothing_to_receive_fails(self) -> None:
            self.recv_multipart(self.socket(zmq.PULL), timeout=0.01)

    result = _run(Case)
    assert result.testsRun == 3
    assert [str(test).split()[0] for test, _ in result.failures] == [
        "test_nothing_to_receive_fails", "test_wrong_errno_fails",
    ]
    assert not result.errors
    sockets, ctx = made[:3], made[3]
    assert ctx is not None and ctx.closed and all(s.closed for s in sockets)


def test_green_tests_skip_as_they_should() -> None:
    """A green case skips without gevent, and skips its skip_green tests with it."""
    class Plain(ztests.BaseZMQTestCase):
        @ztests.skip_green
        def test_plain(self) -> None:
            self.assertFalse(self.green)

    class Green(ztests.GreenTest, Plain):
        pass

    result = _run(Plain, Green)
    assert result.testsRun == 2 and result.wasSuccessful()
    expected = "Skipping because we are green" if ztests.have_gevent else "requires gevent"
    assert [reason for _, reason in result.skipped] == [expected]
    assert ztests.SkipTest is unittest.SkipTest


def test_zmq_tests_warns_as_deprecated() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", "import purezmq.tests"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode != 0 and "zmq.tests is deprecated in pyzmq 25" in done.stderr


def test_select_backend_gives_purezmqs_backend() -> None:
    names = select_backend("purezmq.backend")
    assert names["Socket"] is zmq.Socket and names["zmq_poll"] is zmq.zmq_poll
    assert set(names) <= {*public_api, "monitored_queue"}
    with pytest.raises(ImportError):
        select_backend("purezmq.backend.cython")


def test_future_base_classes_cover_both_flavours() -> None:
    assert issubclass(future.Socket, _future._AsyncSocket)
    assert _future._AsyncSocket is azmq.Socket
    assert issubclass(future.Poller, _future._AsyncPoller)
    assert not issubclass(zmq.Socket, _future._AsyncSocket)


def test_curve_keygen_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from purezmq import curve_keygen

    # A zmq without curve_keypair (purezmq loads it lazily, so deleting it would not do).
    monkeypatch.setattr(zmq, "curve_keypair", None, raising=False)
    with pytest.raises(SystemExit, match="no CURVE support"):
        curve_keygen.main([])
    monkeypatch.setattr(zmq, "curve_keypair", lambda: (b"P" * 40, b"S" * 40), raising=False)
    monkeypatch.setattr(zmq, "curve_public", lambda secret: b"Q" * 40, raising=False)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    curve_keygen.main(["--json"])
    curve_keygen.main(["--secret", "S" * 40])
    assert out.getvalue() == (
        '{\n "public": "' + "P" * 40 + '",\n "secret": "' + "S" * 40 + '"\n}\n'
        "== CURVE PUBLIC KEY ==\n" + "Q" * 40 + "\n\n== CURVE SECRET KEY ==\n" + "S" * 40 + "\n"
    )


def test_asyncio_loop_helpers_warn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(azmq, "_warned", False)
    with pytest.warns(DeprecationWarning, match="deprecated in pyzmq 17"):
        azmq.install()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loop = azmq.ZMQEventLoop()
    assert isinstance(loop, asyncio.SelectorEventLoop)
    loop.close()


def test_curve_keygen_takes_a_secret_that_starts_with_a_dash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Z85 text may start with "-" (one key in 85): `--secret -...` is still the key,
    not an unknown option (pyzmq's own test_curve_keygen_secret fails on such a key)."""
    pytest.importorskip("nacl")
    from purezmq import curve_keygen

    while True:
        public, secret = zmq.curve_keypair()
        if secret.startswith(b"-"):
            break
    assert curve_keygen.main(["--secret", secret.decode(), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {"public": public.decode(), "secret": secret.decode()}
