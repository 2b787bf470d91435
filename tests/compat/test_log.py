"""purezmq.log: PUBHandler publishes records that a SUB (or ``python -m zmq.log``) reads."""

from __future__ import annotations

import argparse
import logging
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

import purezmq as zmq
from purezmq.log.__main__ import LineFormatter
from purezmq.log.handlers import PUBHandler, TopicLogger
from tests.helpers.signals import sigint_reaches_children
from tests.helpers.waiting import wait_for

HERE = os.path.basename(__file__)


@pytest.fixture
def pub_sub(ctx: zmq.Context) -> Iterator[tuple[zmq.Socket, zmq.Socket]]:
    """A PUB and a SUB (subscribed to everything) that are known to be joined."""
    pub = ctx.socket(zmq.PUB)
    sub = ctx.socket(zmq.SUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub.connect(f"tcp://127.0.0.1:{port}")
    sub.subscribe(b"")
    join(pub, sub)
    yield pub, sub


def join(pub: zmq.Socket, sub: zmq.Socket) -> None:
    """Publish probes until the SUB gets one (its subscription has arrived), drain them."""

    def probe() -> bool:
        pub.send_multipart([b"probe", b""])
        return bool(sub.poll(20))

    wait_for(probe)
    while sub.poll(20):
        assert sub.recv_multipart()[0] == b"probe"


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger(f"purezmq-test-{os.getpid()}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)


def test_records_arrive_with_level_topics_and_default_formats(
    pub_sub: tuple[zmq.Socket, zmq.Socket], logger: logging.Logger
) -> None:
    pub, sub = pub_sub
    handler = PUBHandler(pub, root_topic="app")
    assert (handler.socket, handler.ctx) == (pub, pub.context)
    logger.addHandler(handler)
    logger.info("plain %s", "info")
    line = sys._getframe().f_lineno + 1
    logger.debug("db.pool::%d left", 3)
    assert sub.recv_multipart() == [b"app.INFO", b"plain info\n"]
    where = f"DEBUG {HERE}:{line} - 3 left\n".encode()
    assert sub.recv_multipart() == [b"app.DEBUG.db.pool", where]


def test_root_topic_as_bytes_or_empty_and_unicode(
    pub_sub: tuple[zmq.Socket, zmq.Socket], logger: logging.Logger
) -> None:
    pub, sub = pub_sub
    handler = PUBHandler(pub)
    logger.addHandler(handler)
    handler.root_topic = b"t\xc3\xb8p"  # type: ignore[assignment]
    assert handler.root_topic == "tøp"
    logger.info("sub.tøpic::héllo")
    assert sub.recv_multipart() == ["tøp.INFO.sub.tøpic".encode(), "héllo\n".encode()]
    handler.setRootTopic("")
    logger.warning("careful")
    topic, text = sub.recv_multipart()
    assert topic == b"WARNING"
    assert text.startswith(f"WARNING {HERE}:".encode()) and text.endswith(b" - careful\n")


def test_formatters_per_level_and_for_all(
    pub_sub: tuple[zmq.Socket, zmq.Socket], logger: logging.Logger
) -> None:
    pub, sub = pub_sub
    handler = PUBHandler(pub)
    logger.addHandler(handler)
    handler.setFormatter(logging.Formatter("D %(message)s"), logging.DEBUG)
    logger.debug("one")
    logger.info("two")
    assert [sub.recv_multipart()[1] for _ in range(2)] == [b"D one", b"two\n"]
    handler.setFormatter(logging.Formatter("ALL %(levelname)s %(message)s"))
    logger.error("three")
    logger.log(25, "custom level")  # no formatter of its own: the handler's
    assert [sub.recv_multipart()[1] for _ in range(2)] == [
        b"ALL ERROR three",
        b"custom level",
    ]


def test_the_subtopic_is_cut_from_a_copy(
    pub_sub: tuple[zmq.Socket, zmq.Socket], logger: logging.Logger
) -> None:
    """Other handlers see the record as it was logged."""
    pub, sub = pub_sub
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger.addHandler(PUBHandler(pub))
    logger.addHandler(Keep())
    logger.info("a.b::c")
    assert sub.recv_multipart() == [b"INFO.a.b", b"c\n"]
    assert seen == ["a.b::c"]


def test_a_handler_binds_its_own_socket(ctx: zmq.Context, logger: logging.Logger) -> None:
    handler = PUBHandler("inproc://purezmq-log", ctx)
    assert handler.ctx is ctx and handler.socket.type == zmq.PUB
    sub = ctx.socket(zmq.SUB)
    sub.connect("inproc://purezmq-log")
    sub.subscribe(b"")
    join(handler.socket, sub)
    logger.addHandler(handler)
    logger.critical("down")
    topic, text = sub.recv_multipart()
    assert topic == b"CRITICAL" and text.endswith(b" - down\n")


def test_a_closed_socket_does_not_raise_into_the_caller(
    ctx: zmq.Context, logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = PUBHandler(ctx.socket(zmq.PUB))
    logger.addHandler(handler)
    failed: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", failed.append)
    handler.socket.close()
    logger.info("into the void")
    assert [r.msg for r in failed] == ["into the void"]


def test_topic_logger_levels_and_caller(
    pub_sub: tuple[zmq.Socket, zmq.Socket],
) -> None:
    pub, sub = pub_sub
    log = TopicLogger(f"purezmq-topics-{os.getpid()}", logging.DEBUG)
    handler = PUBHandler(pub, root_topic="r")
    handler.setFormatter(logging.Formatter("%(filename)s:%(lineno)d %(message)s"))
    log.addHandler(handler)
    line = sys._getframe().f_lineno + 1
    log.debug("d.t", "debug %d", 1)
    log.info("i", "info")
    log.warning("w", "warning")
    log.error("e", "error")
    log.critical("c", "critical")
    log.log(logging.INFO, "l", "logged")
    try:
        raise ValueError("bad")
    except ValueError:
        log.exception("x", "exception")
    got = [sub.recv_multipart() for _ in range(7)]
    assert [topic for topic, _ in got] == [
        b"r.DEBUG.d.t", b"r.INFO.i", b"r.WARNING.w", b"r.ERROR.e",
        b"r.CRITICAL.c", b"r.INFO.l", b"r.ERROR.x",
    ]
    assert got[0][1] == f"{HERE}:{line} debug 1".encode()
    assert b"ValueError: bad" in got[6][1]


def _args(**given: object) -> argparse.Namespace:
    args = {"timestamp": False, "dateformat": "%H", "align": False, "separator": " | "}
    return argparse.Namespace(**{**args, **given})


def test_watcher_lines_plain_aligned_and_stamped() -> None:
    plain = LineFormatter(_args(), {})
    assert plain.line(b"app.INFO.db", b"text\n") == "app.INFO.db | text"
    aligned = LineFormatter(_args(align=True, separator=": "), {})
    assert aligned.line(b"app.WARNING", b"a") == "app.WARNING: a"
    assert aligned.line(b"a.INFO.sub", b"b") == "a  .INFO   .sub: b"
    assert aligned.line(b"x.DEBUG", b"c") == "x  .DEBUG  .   : c"
    colored = LineFormatter(_args(timestamp=True), {"ERROR": "<", "__RESET__": ">"})
    assert colored.line(b"app.ERROR", b"e").endswith(" <app.ERROR | e>")


def test_python_dash_m_zmq_log_prints_records(ctx: zmq.Context, logger: logging.Logger) -> None:
    """``purezmq run -m zmq.log URL``: pyzmq's watcher command, on purezmq."""
    handler = PUBHandler("tcp://127.0.0.1:*", ctx, root_topic="w")
    logger.addHandler(handler)
    url = handler.socket.last_endpoint.decode()
    # faulthandler: if it does not end after Ctrl-C, SIGABRT prints where it is stuck.
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    with sigint_reaches_children():
        watcher = subprocess.Popen(
            [sys.executable, "-m", "purezmq", "run", "-m", "zmq.log", url, "--separator", " > "],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
    try:

        def printed() -> str:
            logger.info("hello")  # again until the watcher has joined
            ready = select.select([watcher.stdout], [], [], 0.05)[0]
            return watcher.stdout.readline() if ready else ""  # type: ignore[union-attr]

        assert wait_for(printed, 20) == "w.INFO > hello\n"
        watcher.send_signal(signal.SIGINT)
        try:
            _, err = watcher.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            watcher.send_signal(signal.SIGABRT)
            _, err = watcher.communicate(timeout=20)
            raise AssertionError(f"no exit 20 s after Ctrl-C; its threads:\n{err}") from None
        assert watcher.returncode == 0, err
    finally:
        watcher.kill()
        watcher.wait(timeout=20)
