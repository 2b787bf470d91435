"""Context and Socket subscript as pyzmq's generic classes do (``zmq.Context[Any]``).

Programs written for pyzmq evaluate such annotations at run time: ipykernel's
``SubshellThread`` has ``context: zmq.Context[Any]`` in a class body, which failed
to import under purezmq with "type 'Context' is not subscriptable".
"""

from __future__ import annotations

from typing import Any

import pytest

import purezmq as zmq


@pytest.mark.parametrize("cls", [zmq.Context, zmq.Socket], ids=lambda c: c.__name__)
def test_subscripting_gives_an_alias_of_the_class(cls: Any) -> None:
    """As pyzmq's generic classes (its asyncio Context and Socket are not generic:
    they are its sync classes made specific, and neither are purezmq's)."""
    alias = cls[Any]
    assert alias.__origin__ is cls
    assert alias.__args__ == (Any,)


def test_annotation_in_a_class_body_evaluates() -> None:
    """The pattern ipykernel uses (annotations evaluated when the class is made)."""
    namespace: dict[str, Any] = {"zmq": zmq, "Any": Any}
    source = "class Holder:\n    context: zmq.Context[Any]\n    socket: zmq.Socket[bytes]\n"
    # dont_inherit: not this module's ``from __future__ import annotations``.
    exec(compile(source, "<holder>", "exec", dont_inherit=True), namespace)
    hints = namespace["Holder"].__annotations__
    assert hints["context"].__origin__ is zmq.Context
    assert hints["socket"].__origin__ is zmq.Socket
