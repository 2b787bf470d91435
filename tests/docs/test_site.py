"""The documentation site builds cleanly and its API pages document every public name.

The site is built once, with ``mkdocs build --strict`` (a broken link, a missing
anchor or a docstring that contradicts its signature fails the build), into a
temporary directory. Every name in the ``__all__`` of ``purezmq`` and of each public
subpackage must then have an entry in the API pages: an element whose id is the
name under that module, or under another module that holds the very same object
(``purezmq.asyncio.REQ`` is ``purezmq.constants.REQ``, documented once).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The modules whose __all__ the API reference covers, as pyzmq lays them out.
MODULES = [
    "purezmq",
    "purezmq.error",
    "purezmq.constants",
    "purezmq.asyncio",
    "purezmq.green",
    "purezmq.green.eventloop",
    "purezmq.green.eventloop.ioloop",
    "purezmq.green.eventloop.zmqstream",
    "purezmq.auth",
    "purezmq.auth.base",
    "purezmq.auth.certs",
    "purezmq.auth.thread",
    "purezmq.auth.asyncio",
    "purezmq.devices",
    "purezmq.devices.basedevice",
    "purezmq.devices.proxydevice",
    "purezmq.devices.proxysteerabledevice",
    "purezmq.devices.monitoredqueuedevice",
    "purezmq.devices.monitoredqueue",
    "purezmq.eventloop",
    "purezmq.eventloop.zmqstream",
    "purezmq.eventloop.future",
    "purezmq.eventloop.ioloop",
    "purezmq.log",
    "purezmq.log.handlers",
    "purezmq.ssh",
    "purezmq.ssh.tunnel",
    "purezmq.ssh.forward",
    "purezmq.decorators",
    "purezmq.utils",
    "purezmq.utils.z85",
    "purezmq.utils.jsonapi",
    "purezmq.utils.monitor",
    "purezmq.utils.win32",
    "purezmq.utils.garbage",
    "purezmq.utils.interop",
    "purezmq.utils.strtypes",
    "purezmq.sugar",
    "purezmq.sugar.version",
    "purezmq.sugar.curve",
    "purezmq.backend",
    "purezmq.backend.select",
    "purezmq.alias",
]

# Modules that need an optional dependency to import: without it, their names
# cannot be listed here (the site documents them all the same, from the source).
OPTIONAL = {"purezmq.green": "gevent", "purezmq.eventloop": "tornado"}


def _import(name: str) -> ModuleType:
    for prefix, dependency in OPTIONAL.items():
        if name == prefix or name.startswith(prefix + "."):
            pytest.importorskip(dependency, reason=f"{name} needs {dependency}")
    with warnings.catch_warnings():
        # pyzmq's deprecated zmq.eventloop.ioloop warns when imported, and so does ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module(name)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with ``mkdocs build --strict``."""
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (the purezmq[docs] extra)")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed (purezmq[docs])")
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def api_html(site: Path) -> str:
    """The API pages' HTML, one after the other."""
    pages = sorted((site / "api").rglob("*.html"))
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


@pytest.fixture(scope="module")
def api_ids(api_html: str) -> set[str]:
    """The ids of every element of the API pages."""
    return set(re.findall(r'\bid="([^"]+)"', api_html))


def _public_names(module: ModuleType) -> list[str]:
    """The module's __all__ (less its underscored names); without one, what it defines."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name for name, obj in vars(module).items()
            if getattr(obj, "__module__", None) == module.__name__
        ]
    return [name for name in names if not name.startswith("_")]


def _foreign(obj: object) -> bool:
    """A class or function that another library defines (tornado's IOLoop, enum's IntEnum)."""
    home = getattr(obj, "__module__", None)
    return (inspect.isclass(obj) or inspect.isroutine(obj)) and not (
        isinstance(home, str) and home.split(".")[0] == "purezmq"
    )


def _same(documented: object, obj: object) -> bool:
    # A few modules keep a constant as a plain int for speed (purezmq.asyncio.POLLIN):
    # the documented enum member is the same constant.
    if documented is obj:
        return True
    return isinstance(obj, int) and isinstance(documented, int) and documented == obj


def _documented_as(obj: object, name: str, ids: set[str]) -> list[str]:
    """The ids under which the object called ``name`` is documented."""
    found = []
    for anchor in ids:
        module_name, _, last = anchor.rpartition(".")
        if last != name or module_name not in sys.modules:
            continue
        if _same(getattr(sys.modules[module_name], name, None), obj):
            found.append(anchor)
    return found


def test_site_builds_strict(site: Path) -> None:
    """mkdocs build --strict succeeds and writes the home page and the API overview."""
    assert (site / "index.html").is_file()
    assert (site / "api" / "index.html").is_file()


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_is_documented(
    module_name: str, api_ids: set[str], api_html: str
) -> None:
    """Each name in the module's __all__ has an entry in the API pages; a name another
    library defines (enum's IntEnum, tornado's IOLoop) is at least named there."""
    module = _import(module_name)
    assert module_name in api_ids, f"{module_name} has no page section"
    missing = []
    for name in _public_names(module):
        obj = getattr(module, name)
        if f"{module_name}.{name}" in api_ids or _documented_as(obj, name, api_ids):
            continue
        if _foreign(obj) and f"<code>{name}</code>" in api_html:
            continue
        missing.append(name)
    assert not missing, f"{module_name}: not in the API pages: {missing}"


@pytest.mark.parametrize("module_name", MODULES)
def test_public_classes_and_functions_have_docstrings(module_name: str) -> None:
    """Each class and function in the module's __all__, and each public method and
    property of those classes, says what it is in a docstring."""
    module = _import(module_name)
    bare = []
    for name in _public_names(module):
        obj = getattr(module, name)
        if (inspect.isclass(obj) or inspect.isroutine(obj)) and not _foreign(obj):
            own = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
            if not (own or "").strip():
                bare.append(name)
            if inspect.isclass(obj):
                bare.extend(f"{name}.{member}" for member in _bare_members(obj))
    assert not bare, f"{module_name}: no docstring: {bare}"


def _bare_members(cls: type) -> list[str]:
    """The class's own public methods and properties that have no docstring.

    The socket option properties (``sock.linger`` ...) are made in a loop from the
    option table, and documented together in the Socket's docstring.
    """
    bare = []
    for member, value in vars(cls).items():
        function = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
        if member.startswith("_") or not inspect.isroutine(function):
            continue
        if function.__qualname__.startswith("option_property."):
            continue
        if not (function.__doc__ or "").strip():
            bare.append(member)
    return bare
