"""``import zmq`` that gives purezmq: the alias behind ``install_as_zmq()`` and ``purezmq run``.

Theory of operation: :func:`install_as_zmq` puts a finder at the front of
``sys.meta_path`` that answers every ``zmq`` and ``zmq.<name>`` import with purezmq's
modules: ``zmq.<name>`` is the module object ``purezmq.<name>`` itself. ``zmq`` alone
is a thin view of ``purezmq`` (:class:`ZmqModule`): every attribute is purezmq's, read
and written through, except ``__version__``, which is the pyzmq release whose API
purezmq follows, since programs written for pyzmq
compare it with pyzmq releases (purezmq's own stays ``purezmq.__version__``). A name
purezmq does not have fails to import (ModuleNotFoundError); it never falls through to
an installed pyzmq, since a program mixing the two libraries' objects would fail in
ways much harder to understand.

``purezmq run`` reaches child processes too: it puts the directory ``alias_path/`` on
PYTHONPATH, whose only content is a package named ``zmq`` that installs the alias and
replaces itself with purezmq at its first import (see ``alias_path/zmq/__init__.py``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType

ALIAS = "zmq"
TARGET = "purezmq"
# The directory whose ``zmq`` package installs the alias in any process that has it on
# its path (purezmq run sets PYTHONPATH to it).
ALIAS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alias_path")


class ZmqModule(ModuleType):
    """``zmq`` under the alias: purezmq's attributes, with pyzmq's ``__version__``."""

    # The module it shows, held here: at interpreter shutdown sys.modules is emptied
    # before the last __del__ methods run, and ``zmq.LINGER`` must still work in them.
    __target__: ModuleType

    def __getattr__(self, name: str) -> object:
        return getattr(self.__target__, name)

    def __setattr__(self, name: str, value: object) -> None:
        if name.startswith("__") and name.endswith("__"):
            super().__setattr__(name, value)  # the module's own (spec, loader, version)
        else:
            setattr(self.__target__, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self.__target__, name)

    def __dir__(self) -> list[str]:
        return sorted({*dir(self.__target__), "__version__"})


def _zmq_view(purezmq: ModuleType) -> ZmqModule:
    from .sugar.version import __version__ as pyzmq_api_version

    view = ZmqModule(ALIAS, purezmq.__doc__)
    view.__target__ = purezmq
    view.__file__ = purezmq.__file__
    view.__path__ = list(purezmq.__path__)
    view.__package__ = ALIAS
    view.__all__ = list(purezmq.__all__)
    view.__version__ = pyzmq_api_version
    return view


class _AliasLoader(importlib.abc.Loader):
    """Hands out an already imported module under another name."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module ran when it was imported under its own name."""

    # For ``python -m zmq.<name>`` (runpy): the real module's code and kind.

    def is_package(self, fullname: str) -> bool:
        return hasattr(self.module, "__path__")

    def get_code(self, fullname: str) -> object:
        spec = self.module.__spec__
        loader = getattr(spec, "loader", None)
        get_code = getattr(loader, "get_code", None)
        if spec is None or get_code is None:
            raise ImportError(f"no code for {fullname}")
        return get_code(spec.name)


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``zmq`` and ``zmq.*`` as ``purezmq`` and ``purezmq.*``."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """A spec that loads ``purezmq...`` for ``zmq...``; None for any other name."""
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real_name = TARGET + fullname[len(ALIAS) :]
        module = importlib.import_module(real_name)
        if fullname == ALIAS:
            module = _zmq_view(module)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


def install_as_zmq() -> None:
    """Make ``import zmq`` (and ``import zmq.asyncio``, ``from zmq.utils import monitor``
    ...) import purezmq's modules from now on, in this process.

    Raises RuntimeError if pyzmq's ``zmq`` was imported already: its objects and
    purezmq's cannot be mixed.
    """
    existing = sys.modules.get(ALIAS)
    purezmq = importlib.import_module(TARGET)
    if isinstance(existing, ZmqModule):
        return
    if existing is not None and not _is_shim(existing):
        raise RuntimeError(
            "install_as_zmq(): pyzmq's zmq module is imported already; call it first"
        )
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
    view = _zmq_view(purezmq)
    view.__spec__ = importlib.util.spec_from_loader(ALIAS, _AliasLoader(view))
    sys.modules[ALIAS] = view
    for name, module in list(sys.modules.items()):
        if name.startswith(TARGET + "."):
            sys.modules.setdefault(ALIAS + name[len(TARGET) :], module)


def _is_shim(module: ModuleType) -> bool:
    return os.path.dirname(os.path.dirname(getattr(module, "__file__", "") or "")) == ALIAS_PATH


def alias_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) with the alias directory first on PYTHONPATH,
    so that every Python process started with it imports purezmq as ``zmq``."""
    env = dict(os.environ if environ is None else environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != ALIAS_PATH]
    env["PYTHONPATH"] = os.pathsep.join([ALIAS_PATH, *paths])
    return env


def run(argv: Sequence[str]) -> int:
    """``purezmq run PROGRAM.py [ARGS]`` or ``purezmq run -m MODULE [ARGS]``: run a pyzmq
    program unmodified on purezmq, child Python processes included. Replaces this
    process (exec) so that signals and the exit status are the program's own."""
    if not argv or argv[0] in ("-h", "--help"):
        print(
            "usage: purezmq run PROGRAM.py [ARGS...]\n"
            "       purezmq run -m MODULE [ARGS...]\n\n"
            "Run a program written for pyzmq on purezmq: `import zmq` gives purezmq,\n"
            "in the program and in every Python process it starts.\n\n"
            "examples:\n"
            "  purezmq run server.py --port 5555\n"
            "  purezmq run -m pytest tests/"
        )
        return 0 if argv else 2
    if argv[0] == "-m" and len(argv) < 2:
        print("purezmq run: -m needs a module name", file=sys.stderr)
        return 2
    env = alias_environment()
    args = [sys.executable, *argv]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, args, env)
    return 0  # not reached


__all__ = ["ALIAS_PATH", "AliasFinder", "alias_environment", "install_as_zmq", "run"]
