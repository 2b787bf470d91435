"""The security options and message metadata, side by side with pyzmq (libzmq 4.3.5).

Each row sets options in order on a fresh REQ socket of both libraries and reads
MECHANISM, PLAIN_SERVER and CURVE_SERVER back after every step: the role and the
mechanism must move exactly as libzmq moves them (options.cpp), refusals included.
"""

from __future__ import annotations

from typing import Any

import pytest
import zmq as pyzmq

import purezmq
import purezmq.sugar.curve

pytest.importorskip("nacl.bindings", reason="CURVE needs PyNaCl (the curve extra)")

PUBLIC, SECRET = purezmq.curve_keypair()
SEQUENCES: dict[str, list[tuple[str, Any]]] = {
    "curve-client": [("CURVE_SECRETKEY", SECRET), ("CURVE_PUBLICKEY", PUBLIC),
                     ("CURVE_SERVERKEY", PUBLIC)],
    "curve-server-then-off": [("CURVE_SERVER", 1), ("CURVE_SERVER", 0)],
    "plain-server-then-client": [("PLAIN_SERVER", 1), ("PLAIN_USERNAME", b"u")],
    "plain-then-curve-server": [("PLAIN_USERNAME", b"u"), ("CURVE_SERVER", 1)],
    "curve-server-then-key": [("CURVE_SERVER", 1), ("CURVE_SECRETKEY", SECRET)],
    "curve-server-then-serverkey": [("CURVE_SERVER", 1), ("CURVE_SERVERKEY", PUBLIC)],
    "raw-32-octet-key": [("CURVE_PUBLICKEY", bytes(range(32)))],
    "refused-values": [("PLAIN_SERVER", 2), ("CURVE_SERVER", -1), ("PLAIN_USERNAME", b""),
                       ("CURVE_PUBLICKEY", b"x" * 39), ("CURVE_PUBLICKEY", b"~" * 40),
                       ("ZAP_DOMAIN", b""), ("ZAP_DOMAIN", b"x" * 256)],
    "zap": [("ZAP_DOMAIN", b"global"), ("ZAP_ENFORCE_DOMAIN", 7)],
}
READ_BACK = ("MECHANISM", "PLAIN_SERVER", "CURVE_SERVER", "ZAP_DOMAIN", "ZAP_ENFORCE_DOMAIN",
             "PLAIN_USERNAME", "CURVE_PUBLICKEY")


def _trace(lib: Any, steps: list[tuple[str, Any]]) -> list[Any]:
    ctx = lib.Context()
    sock = ctx.socket(lib.REQ)
    trace: list[Any] = []
    try:
        for name, value in steps:
            try:
                sock.setsockopt(getattr(lib, name), value)
                trace.append("ok")
            except lib.ZMQError as exc:
                trace.append(exc.errno)
            for option in READ_BACK:
                try:
                    trace.append(sock.getsockopt(getattr(lib, option)))
                except lib.ZMQError as exc:
                    trace.append(("error", exc.errno))
    finally:
        sock.close(linger=0)
        ctx.term()
    return trace


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_options_move_mechanism_and_role_as_libzmq(name: str) -> None:
    assert _trace(purezmq, SEQUENCES[name]) == _trace(pyzmq, SEQUENCES[name])


def test_without_pynacl_curve_options_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purezmq.sugar.curve, "curve_available", lambda: False)
    assert purezmq.has("curve") is False
    ctx = purezmq.Context()
    sock = ctx.socket(purezmq.REQ)
    try:
        for option, value in ((purezmq.CURVE_SERVER, 1), (purezmq.CURVE_SERVERKEY, PUBLIC)):
            with pytest.raises(purezmq.ZMQError, match=r"purezmq\[curve\]") as info:
                sock.setsockopt(option, value)
            assert info.value.errno == purezmq.EINVAL
        sock.plain_username = b"still fine"  # PLAIN needs nothing extra
    finally:
        sock.close(linger=0)
        ctx.term()


def test_has_curve_with_pynacl() -> None:
    assert purezmq.has("curve") is True


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_null_metadata_matches_libzmq(transport: str, ipc_dir: str) -> None:
    """Peer-Address, Socket-Type and Identity on a received Frame; no User-Id, no
    Routing-Id: what zmq_msg_gets answers on the same connection."""
    answers = []
    for lib in (purezmq, pyzmq):
        ctx = lib.Context()
        router, dealer = ctx.socket(lib.ROUTER), ctx.socket(lib.DEALER)
        dealer.routing_id = b"me"
        address = "tcp://127.0.0.1:*" if transport == "tcp" else f"ipc://{ipc_dir}/m-{lib.__name__}"
        router.bind(address)
        dealer.connect(router.last_endpoint.decode())
        dealer.send(b"x")
        router.rcvtimeo = 5000
        frame = router.recv_multipart(copy=False)[-1]
        got = []
        for name in ("Socket-Type", "Identity", "Routing-Id", "User-Id", "Peer-Address"):
            try:
                value = frame.get(name)
            except lib.ZMQError as exc:
                value = exc.errno
            if name == "Peer-Address" and transport == "ipc":
                value = value.rsplit(":", 1)[0]  # localhost:UID:GID, then our own pid
            got.append(value)
        answers.append(got)
        router.close(linger=0)
        dealer.close(linger=0)
        ctx.term()
    assert answers[0] == answers[1]
