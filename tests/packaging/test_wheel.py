"""What a user installs: the wheel built from this tree, its metadata, the license.

The wheel is built offline (``pip wheel --no-build-isolation``), with the setuptools
the test extra installs.
"""

from __future__ import annotations

import email.parser
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from email.message import Message
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest

import purezmq

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "purezmq"
# The Mozilla Public License 2.0 as published (mozilla.org/MPL/2.0, plain text).
MPL_SHA256 = "fab3dd6bdab226f1c08630b1dd917e11fcb4ec5e1e020e2c16f83a0a13863e85"


def _setuptools_builds_offline() -> bool:
    try:
        return int(installed_version("setuptools").split(".")[0]) >= 77
    except Exception:
        return False


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel ``pip wheel .`` builds from this tree."""
    if not _setuptools_builds_offline():
        pytest.skip("building the wheel offline needs setuptools>=77 (the test extra)")
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("tree") / "purezmq"
    # A copy, so that the build's own files (build/, *.egg-info) stay out of the tree.
    shutil.copytree(ROOT, build, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
        ".pyzmq-suite"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(build), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)],
        check=True, capture_output=True,
    )
    (path,) = out.glob("purezmq-*.whl")
    return zipfile.ZipFile(path)


@pytest.fixture(scope="module")
def metadata(wheel: zipfile.ZipFile) -> Message:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(wheel.read(name).decode())


def test_the_wheel_holds_the_license(wheel: zipfile.ZipFile) -> None:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    assert wheel.read(name) == (ROOT / "LICENSE").read_bytes()


def test_the_wheel_holds_every_file_of_the_package(wheel: zipfile.ZipFile) -> None:
    """Every source file, py.typed (PEP 561) and the alias directory that ``purezmq
    run`` puts on PYTHONPATH, and nothing else under purezmq/."""
    shipped = {n for n in wheel.namelist() if n.startswith("purezmq/")}
    assert {"purezmq/py.typed", "purezmq/alias_path/zmq/__init__.py"} <= shipped
    source = {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == source


def test_the_metadata(metadata: Message) -> None:
    assert metadata["Name"] == "purezmq"
    assert metadata["Version"] == purezmq.__version__
    assert metadata["License-Expression"] == "MPL-2.0"
    assert metadata["License-File"] == "LICENSE"
    assert metadata["Author"] == "purezmq developers"
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata.get_all("Requires-Dist") and not [
        req for req in metadata.get_all("Requires-Dist", []) if "extra ==" not in req
    ], "purezmq has no runtime dependency"
    classifiers = metadata.get_all("Classifier", [])
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    # No placeholder addresses: the project has no public repository to point at yet.
    assert metadata.get_all("Project-URL") is None


def test_the_license_is_the_mpl_2_0_unchanged() -> None:
    """The official text: its title, sections 1 to 10, Exhibits A and B, byte for byte."""
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("Mozilla Public License Version 2.0\n")
    headings = re.findall(r"^\*?\s*(\d+)\. [A-Z]", text, re.MULTILINE)
    assert [int(n) for n in headings] == list(range(1, 11))
    assert "Exhibit A - Source Code Form License Notice" in text
    assert 'Exhibit B - "Incompatible With Secondary Licenses" Notice' in text
    assert hashlib.sha256(text.encode()).hexdigest() == MPL_SHA256


def _console_script() -> Path | None:
    script = Path(sys.executable).parent / "purezmq"
    return script if script.exists() else None


@pytest.mark.skipif(_console_script() is None, reason="purezmq is not installed as a script")
def test_the_console_script_and_python_m_agree_on_the_version() -> None:
    """``purezmq --version`` prints what ``python -m purezmq --version`` prints."""
    script = _console_script()
    assert script is not None
    by_script = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    by_module = subprocess.run([sys.executable, "-m", "purezmq", "--version"],
                               capture_output=True, text=True)
    assert by_script.returncode == by_module.returncode == 0
    assert by_script.stdout == by_module.stdout
    assert by_script.stdout.startswith(f"purezmq {purezmq.__version__} ")
