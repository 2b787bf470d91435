"""What ``import purezmq`` loads: only what every program needs (no time is asserted).

The optional parts load on first use (``purezmq/__init__.py``'s ``__getattr__``), the
engine with the first socket; every public name stays reachable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import purezmq

# Modules a program that never asks for them must not pay for at import.
NOT_AT_IMPORT = [
    "asyncio",
    "concurrent.futures",
    "dataclasses",
    "multiprocessing",
    "random",
    "socket",
    "ssl",
    "purezmq.alias",
    "purezmq.asyncio",
    "purezmq.auth",
    "purezmq.backend",
    "purezmq.bench",
    "purezmq.cli",
    "purezmq.decorators",
    "purezmq.devices",
    "purezmq.engine.iothread",
    "purezmq.engine.socket_engine",
    "purezmq.eventloop",
    "purezmq.green",
    "purezmq.log",
    "purezmq.ssh",
    "purezmq.sugar.curve",
    "purezmq.utils",
    "purezmq.zmtp",
]


def _modules_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running ``code``.

    The interpreter starts without ``site`` (``-S``): a machine's ``.pth`` hooks may
    load modules of their own at startup, which would hide what purezmq loads.
    """
    package_root = str(Path(purezmq.__file__).resolve().parent.parent)
    program = (
        f"import sys\nsys.path.insert(0, {package_root!r})\n{code}\n"
        "import json\nprint(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", program], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.fixture(scope="module")
def at_import() -> set[str]:
    return _modules_after("import purezmq")


@pytest.mark.parametrize("module", NOT_AT_IMPORT)
def test_import_purezmq_leaves_it_out(at_import: set[str], module: str) -> None:
    assert module not in at_import


def test_the_essentials_are_loaded(at_import: set[str]) -> None:
    """The sync API itself is there at once: no first-use surprise for a plain socket."""
    assert {"purezmq.sugar.socket", "purezmq.sugar.context", "purezmq.constants"} <= at_import


def test_lazy_names_load_on_first_use() -> None:
    """Submodules and lazily loaded names are attributes of the package once touched."""
    loaded = _modules_after(
        "import purezmq\n"
        "assert callable(purezmq.curve_keypair)\n"
        "assert purezmq.devices.ThreadDevice\n"
        "assert purezmq.backend.Socket is purezmq.Socket\n"
        "assert purezmq.utils.z85.encode(b'\\0' * 4) == b'00000'\n"
    )
    assert {"purezmq.devices", "purezmq.backend", "purezmq.utils.z85"} <= loaded


def test_a_first_socket_loads_the_engine_then() -> None:
    loaded = _modules_after(
        "import purezmq\n"
        "ctx = purezmq.Context()\n"
        "s = ctx.socket(purezmq.PAIR)\n"
        "s.bind('tcp://127.0.0.1:*')\n"
        "s.close(); ctx.term()\n"
    )
    assert {"purezmq.engine.socket_engine", "asyncio"} <= loaded


def test_star_import_gives_every_public_name() -> None:
    """``from purezmq import *`` resolves the lazy names in ``__all__`` too."""
    namespace: dict[str, object] = {}
    exec("from purezmq import *", namespace)
    import purezmq

    missing = [name for name in purezmq.__all__ if name not in namespace]
    assert missing == []
    assert namespace["curve_public"] is purezmq.curve_public


def test_an_unknown_name_is_an_attribute_error() -> None:
    import purezmq

    with pytest.raises(AttributeError, match="nosuchthing"):
        purezmq.nosuchthing  # type: ignore[attr-defined]  # noqa: B018
