"""Output and input formats, byte for byte: through the commands and on their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import zmq

from purezmq.cli.format import BadInput, Records, Shown, Style, parse, render

from .support import Cli, seen_within

TCP = "tcp://127.0.0.1:*"
MESSAGE = [b"text", b"\x00\xff", b"line\nbreak", "é".encode()]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], b"text|\\x00\\xff|line\\nbreak|\xc3\xa9\n"),
        (["--frames-sep", " / "], b"text / \\x00\\xff / line\\nbreak / \xc3\xa9\n"),
        (["--hex"], b"74657874|00ff|6c696e650a627265616b|c3a9\n"),
        (["--json"], b'{"frames": ["text", {"base64": "AP8="}, "line\\nbreak", "\xc3\xa9"]}\n'),
        (["--raw"], b"text\x00\xffline\nbreak\xc3\xa9"),
    ],
)
def test_pull_prints_a_multipart_message(
    cli: Callable[..., Cli], zctx: zmq.Context, flags: list[str], expected: bytes
) -> None:
    push = zctx.socket(zmq.PUSH)
    push.sndtimeo = 10000
    push.bind(TCP)
    pull = cli("pull", "--connect", push.last_endpoint.decode(), "--count", "1", *flags)
    push.send_multipart(MESSAGE)
    assert pull.wait() == 0
    assert bytes(pull.out) == expected


@pytest.mark.parametrize(
    ("flags", "stdin"),
    [
        (["--frames-sep", "|"], b"text|\x00\xff|line|\xc3\xa9\n"),
        (["--hex"], b"74657874|00ff|6c696e65|c3a9\n"),
        (["--json"], b'{"frames": ["text", {"base64": "AP8="}, "line", "\xc3\xa9"]}\n'),
        (["--json"], b'["text", {"base64": "AP8="}, "line", "\xc3\xa9"]'),  # no final newline
    ],
)
def test_push_reads_each_format(
    cli: Callable[..., Cli], zctx: zmq.Context, flags: list[str], stdin: bytes
) -> None:
    pull = zctx.socket(zmq.PULL)
    pull.rcvtimeo = 10000
    pull.bind(TCP)
    push = cli("push", pull.last_endpoint.decode(), *flags, stdin=stdin)
    push.close_stdin()
    assert pull.recv_multipart() == [b"text", b"\x00\xff", b"line", b"\xc3\xa9"]
    assert push.wait() == 0


def test_push_raw_sends_stdin_as_it_is(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    pull = zctx.socket(zmq.PULL)
    pull.rcvtimeo = 10000
    pull.bind(TCP)
    push = cli("push", pull.last_endpoint.decode(), "--raw", stdin=b"a\nb\x00\n")
    push.close_stdin()
    assert pull.recv() == b"a\nb\x00\n"
    assert push.wait() == 0


def test_a_bad_input_line_is_skipped_with_a_warning(
    cli: Callable[..., Cli], zctx: zmq.Context
) -> None:
    pull = zctx.socket(zmq.PULL)
    pull.rcvtimeo = 10000
    pull.bind(TCP)
    push = cli("push", pull.last_endpoint.decode(), "--hex", stdin=b"zz\n6f6b\n")
    push.close_stdin()
    assert pull.recv() == b"ok"
    assert push.wait() == 0
    assert push.stderr == "purezmq push: input skipped: not hex: zz\n"


def test_router_json_has_the_routing_id(cli: Callable[..., Cli], zctx: zmq.Context) -> None:
    router = cli("router", "--bind", TCP, "--json", stdin=b"")
    dealer = zctx.socket(zmq.DEALER)
    dealer.routing_id = b"\x00\x01"
    dealer.rcvtimeo = 10000
    dealer.connect(router.bound()[0])
    dealer.send(b"hi")
    assert seen_within(lambda: router.lines == ['{"routing_id": "0001", "frames": ["hi"]}'], 10)
    router.write(b'{"routing_id": "0001", "frames": ["back"]}\n')
    assert dealer.recv() == b"back"


# The format on its own.


@pytest.mark.parametrize("name", ["hex", "json"])
@pytest.mark.parametrize(
    "frames", [(b"",), (b"a", b""), (b"\x00\xff\xfe", b"ok"), ("€".encode(), b"\x7f\n")]
)
def test_lossless_formats_read_back_what_they_write(
    name: str, frames: tuple[bytes, ...]
) -> None:
    style = Style(name, b"|")
    line = render(style, Shown(frames)).rstrip(b"\n")
    assert parse(style, line).frames == frames


def test_text_reads_back_printable_frames_with_its_separator() -> None:
    style = Style("text", b"|")
    frames = (b"", "€ uro".encode(), b"x\ty")
    assert parse(style, render(style, Shown(frames)).rstrip(b"\n")).frames == frames


def test_text_lines_are_not_split_unless_asked() -> None:
    assert parse(Style("text"), b"a|b").frames == (b"a|b",)
    assert parse(Style("text", b"|"), b"a|b").frames == (b"a", b"b")
    assert parse(Style("hex"), b"61|62").frames == (b"a", b"b")


def test_routed_input_takes_a_routing_id_prefix() -> None:
    msg = parse(Style("text"), b"[00ab] hello", routed=True)
    assert (msg.routing_id, msg.frames) == (b"\x00\xab", (b"hello",))
    assert parse(Style("text"), b"[00ab] hello").routing_id is None
    with pytest.raises(BadInput):
        parse(Style("text"), b"[00ab]hello", routed=True)


def test_xpub_subscriptions_render() -> None:
    shown = Shown((b"topic",), kind="subscribe")
    assert render(Style(), shown) == b"subscribe topic\n"
    assert render(Style("json"), shown) == b'{"subscribe": "topic"}\n'


@pytest.mark.parametrize("bad", [b"{", b'{"frames": 1}', b'[1]', b'[{"base64": "%"}]'])
def test_bad_json_is_refused(bad: bytes) -> None:
    with pytest.raises(BadInput):
        parse(Style("json"), bad)


def test_records_cut_lines_across_reads() -> None:
    records = Records(raw=False)
    assert records.feed(b"ab") == []
    assert records.feed(b"c\nd\n\ne") == [b"abc", b"d", b""]
    assert records.end() == [b"e"]
    assert Records(raw=True).feed(b"x\ny") == [b"x\ny"]
