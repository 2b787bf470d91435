"""Certificate files: purezmq and pyzmq read each other's, and write the same layout."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import zmq.auth as pyauth
import zmq.auth.certs as pycerts

from purezmq.auth import certs, create_certificates, load_certificate, load_certificates
from purezmq.auth.keygen import main

META = {"name": "client", "email": "a@example.org"}


@pytest.fixture
def keys() -> None:
    """Making key pairs needs PyNaCl (and libzmq's CURVE, for pyzmq)."""
    pytest.importorskip("nacl.bindings")


def test_pyzmq_reads_ours(tmp_path: Path, keys: None) -> None:
    """A pair written by purezmq loads in pyzmq, keys and all."""
    public_file, secret_file = create_certificates(tmp_path, "ours", META)
    assert (public_file, secret_file) == (
        str(tmp_path / "ours.key"),
        str(tmp_path / "ours.key_secret"),
    )
    public, secret = pyauth.load_certificate(secret_file)
    assert pyauth.load_certificate(public_file) == (public, None)
    assert load_certificate(secret_file) == (public, secret)
    assert secret is not None and pyauth.load_certificates(str(tmp_path)) == {public: True}


def test_we_read_pyzmqs(tmp_path: Path, keys: None) -> None:
    """A pair written by pyzmq loads in purezmq."""
    public_file, secret_file = pyauth.create_certificates(str(tmp_path), "theirs", META)
    expected = pyauth.load_certificate(secret_file)
    assert load_certificate(secret_file) == expected
    assert load_certificate(public_file) == (expected[0], None)
    assert load_certificates(tmp_path) == {expected[0]: True}


@pytest.mark.parametrize("secret", [None, b"S" * 40])
def test_same_layout_as_pyzmq(tmp_path: Path, secret: bytes | None) -> None:
    """Byte for byte pyzmq's file, but for the banner's date and author."""
    banner = "#   ****  Generated on {0} by X  ****\n#   header\n\n"
    path = tmp_path / "theirs"
    pycerts._write_key_file(str(path), banner, b"P" * 40, secret, META)
    ours = certs._certificate_text(banner, b"P" * 40, secret, META)
    theirs = path.read_text()
    assert ours.splitlines()[1:] == theirs.splitlines()[1:]
    assert ours.endswith("\n") and theirs.endswith("\n")


def test_secret_file_is_private(tmp_path: Path, keys: None) -> None:
    """The secret certificate is readable by its owner only; the public one by all."""
    public_file, secret_file = create_certificates(tmp_path, "me")
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(public_file).st_mode) == 0o644 & ~_umask()
    assert "secret-key" not in Path(public_file).read_text()
    assert "metadata\n" in Path(secret_file).read_text()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_errors(tmp_path: Path) -> None:
    """Missing file or directory: OSError; no public key: ValueError (as pyzmq)."""
    with pytest.raises(OSError, match="Invalid certificate file"):
        load_certificate(tmp_path / "nope.key")
    empty = tmp_path / "empty.key"
    empty.write_text("# nothing\ncurve\n")
    with pytest.raises(ValueError, match="No public key"):
        load_certificate(empty)
    with pytest.raises(OSError, match="Invalid certificate directory"):
        load_certificates(tmp_path / "missing")


def test_keygen(tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: None) -> None:
    """keygen writes a pair (creating the directory) and prints both paths."""
    target = tmp_path / "keys"
    assert main([str(target), "--name", "server", "-m", "role=server"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(target / "server.key"), str(target / "server.key_secret")]
    assert "    role = server" in (target / "server.key_secret").read_text()
    public, secret = pyauth.load_certificate(printed[1])
    assert secret is not None and len(public) == 40


def test_python_dash_m(tmp_path: Path, keys: None) -> None:
    """`python -m purezmq.auth DIR` works."""
    result = subprocess.run(
        [sys.executable, "-m", "purezmq.auth", str(tmp_path), "-n", "x"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.key").exists() and (tmp_path / "x.key_secret").exists()


def test_keygen_without_pynacl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No PyNaCl: keygen fails with a message naming the extra, and writes nothing."""
    monkeypatch.setitem(sys.modules, "nacl", None)
    monkeypatch.setitem(sys.modules, "nacl.bindings", None)
    assert main([str(tmp_path)]) == 1
    assert "purezmq[curve]" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
