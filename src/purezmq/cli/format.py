"""How messages are written out and read in: text, hex, JSON or raw bytes.

Every format but raw puts one message on one line, both ways:

- text (the default): frames joined by ``|`` (or ``--frames-sep``). A frame shows as
  UTF-8; bytes that are not UTF-8 and control characters (but tab) are escaped as
  ``\\xNN`` (``\\n``, ``\\r``), so a message never spans lines. Read back, a line is
  one frame, or several split on ``--frames-sep`` when it is given.
- hex: each frame in hex, joined by ``|`` (or ``--frames-sep``); read the same way.
- json: an object per line, ``{"frames": [F, ...]}``, where a frame F that is valid
  UTF-8 is a JSON string and any other frame is ``{"base64": "..."}``: lossless, and
  ``jq -r '.frames[0]'`` gives the text. A ROUTER adds ``"routing_id": "HEX"``; an
  XPUB shows a subscription as ``{"subscribe": F}`` or ``{"unsubscribe": F}``. Read
  back, a line may also be a bare list of frames.
- raw: the frames' bytes exactly, nothing between or after them (a ROUTER's routing
  id left out). Read back, each read of stdin is one single-frame message.

A ROUTER's messages show their routing id first, as ``[HEX] `` in text and hex.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

FORMATS = ("text", "hex", "json", "raw")
DEFAULT_SEP = b"|"

# Control characters (but tab) escaped in text output, so each message stays on a line.
_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(32), 127] if c != 9}
_ESCAPES.update({10: "\\n", 13: "\\r"})


@dataclass(frozen=True)
class Style:
    """The format chosen on the command line and the frame separator given, if any."""

    name: str = "text"
    sep: bytes | None = None


@dataclass(frozen=True)
class Shown:
    """A message as written or read: frames, plus a routing id or a subscription kind."""

    frames: tuple[bytes, ...]
    routing_id: bytes | None = None
    kind: str = ""  # "subscribe" or "unsubscribe": an XPUB's subscription message


class BadInput(ValueError):
    """A line that is not a message in the chosen format."""


def render(style: Style, msg: Shown) -> bytes:
    """The bytes to write for ``msg``: a line (with its newline), or raw frames."""
    if style.name == "raw":
        return b"".join(msg.frames)
    if style.name == "json":
        return json.dumps(json_object(msg), ensure_ascii=False).encode() + b"\n"
    sep = style.sep if style.sep is not None else DEFAULT_SEP
    if style.name == "hex":
        body = sep.join(frame.hex().encode() for frame in msg.frames)
    else:
        body = sep.join(text_of(frame).encode() for frame in msg.frames)
    return _prefix(msg) + body + b"\n"


def text_of(frame: bytes) -> str:
    """A frame as one line of text: UTF-8, with other bytes and controls escaped."""
    return frame.decode("utf-8", "backslashreplace").translate(_ESCAPES)


def _prefix(msg: Shown) -> bytes:
    head = b""
    if msg.routing_id is not None:
        head += b"[" + msg.routing_id.hex().encode() + b"] "
    if msg.kind:
        head += msg.kind.encode() + b" "
    return head


def json_frame(frame: bytes) -> Any:
    """A frame for JSON: its text when it is UTF-8, else ``{"base64": ...}``."""
    try:
        return frame.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(frame).decode("ascii")}


def json_object(msg: Shown) -> dict[str, Any]:
    """``msg`` as the JSON object the json format writes for it."""
    obj: dict[str, Any] = {}
    if msg.routing_id is not None:
        obj["routing_id"] = msg.routing_id.hex()
    if msg.kind:
        obj[msg.kind] = json_frame(msg.frames[0] if msg.frames else b"")
    else:
        obj["frames"] = [json_frame(frame) for frame in msg.frames]
    return obj


def parse(style: Style, record: bytes, routed: bool = False) -> Shown:
    """The message a line (or a raw read) stands for; ``routed``: it may name a peer.

    Raises BadInput when the line is not a message in ``style``.
    """
    if style.name == "raw":
        return Shown((record,))
    if style.name == "json":
        return _from_json(record)
    routing_id = None
    if routed and record.startswith(b"["):
        routing_id, record = _routing_prefix(record)
    if style.name == "hex":
        sep = style.sep if style.sep is not None else DEFAULT_SEP
        return Shown(tuple(_unhex(part) for part in record.split(sep)), routing_id)
    frames = record.split(style.sep) if style.sep is not None else [record]
    return Shown(tuple(frames), routing_id)


def _routing_prefix(record: bytes) -> tuple[bytes, bytes]:
    """``[HEX] rest`` split into the routing id and the rest."""
    end = record.find(b"] ")
    if end < 0:
        raise BadInput("a routing id is written [HEX] followed by a space")
    return _unhex(record[1:end]), record[end + 2 :]


def _unhex(text: bytes) -> bytes:
    try:
        return bytes.fromhex(text.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise BadInput(f"not hex: {text_of(text)}") from None


def _from_json(record: bytes) -> Shown:
    try:
        obj = json.loads(record)
    except ValueError as exc:
        raise BadInput(f"not JSON: {exc}") from None
    routing_id = None
    if isinstance(obj, dict):
        if "routing_id" in obj:
            routing_id = _unhex(str(obj["routing_id"]).encode())
        obj = obj.get("frames")
    if not isinstance(obj, list):
        raise BadInput('a JSON message is {"frames": [...]} or a list of frames')
    return Shown(tuple(_frame_from_json(item) for item in obj), routing_id)


def _frame_from_json(item: Any) -> bytes:
    if isinstance(item, str):
        return item.encode()
    if isinstance(item, dict) and isinstance(item.get("base64"), str):
        try:
            return base64.b64decode(item["base64"], validate=True)
        except binascii.Error:
            raise BadInput("bad base64 in a frame") from None
    raise BadInput('a JSON frame is a string or {"base64": "..."}')


class Records:
    """Cuts what is read from stdin into input records: lines, or raw reads."""

    def __init__(self, raw: bool) -> None:
        self.raw = raw
        self.pending = b""

    def feed(self, data: bytes) -> list[bytes]:
        """The records completed by ``data`` (a line's newline is not part of it)."""
        if self.raw:
            return [data] if data else []
        *lines, self.pending = (self.pending + data).split(b"\n")
        return lines

    def end(self) -> list[bytes]:
        """At end of input: the last line, if it had no newline."""
        rest, self.pending = self.pending, b""
        return [rest] if rest else []
