"""JSON to and from UTF-8 bytes, as pyzmq's ``zmq.utils.jsonapi`` (the standard library's json)."""

from __future__ import annotations

import json
from typing import Any

jsonmod = json


def dumps(o: object, **kwargs: Any) -> bytes:
    """``o`` as JSON, encoded as UTF-8 (keyword arguments go to json.dumps)."""
    return json.dumps(o, **kwargs).encode("utf-8")


def loads(s: bytes | str, **kwargs: Any) -> Any:
    """The object a JSON text (bytes in UTF-8, or str) stands for."""
    if isinstance(s, bytes):
        s = s.decode("utf-8")
    return json.loads(s, **kwargs)


__all__ = ["dumps", "loads"]
