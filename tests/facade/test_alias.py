"""``install_as_zmq()`` and ``purezmq run``: pyzmq programs import purezmq as ``zmq``.

Each case runs in a child process: the alias changes ``sys.modules`` for good, and the
interop tests in this process import pyzmq as ``zmq``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TIMEOUT = 60


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter; its stdout (fails on a non-zero exit)."""
    done = subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_install_as_zmq_gives_purezmq_modules_under_zmq_names() -> None:
    out = _python("""
        import purezmq
        purezmq.install_as_zmq()
        import zmq, zmq.asyncio, zmq.sugar.context
        from zmq.utils import monitor, jsonapi
        import purezmq.asyncio, purezmq.utils.monitor
        print(zmq.Context is purezmq.Context, zmq.asyncio is purezmq.asyncio,
              monitor is purezmq.utils.monitor, zmq.sugar.context.Context is purezmq.Context)
        print(zmq.__version__, zmq.pyzmq_version(), purezmq.__version__ != zmq.__version__)
    """)
    assert out.split("\n")[0] == "True True True True"
    assert out.split("\n")[1] == "27.3.0 27.3.0 True"


def test_the_alias_writes_through_to_purezmq() -> None:
    out = _python("""
        import purezmq
        purezmq.install_as_zmq()
        import zmq
        zmq.answer = 42
        print(purezmq.answer, "Context" in dir(zmq), zmq.__name__)
    """)
    assert out.split() == ["42", "True", "zmq"]


def test_the_alias_still_answers_in_a_del_at_interpreter_shutdown() -> None:
    """Python empties sys.modules before the last ``__del__`` methods run; a pyzmq
    program's ``zmq.LINGER`` there still reads purezmq's constant."""
    out = _python("""
        import purezmq
        purezmq.install_as_zmq()
        import zmq

        class Client:
            def __del__(self):
                print("in __del__:", int(zmq.LINGER), zmq.Context.__module__)

        client = Client()  # a module global: collected at shutdown
    """)
    assert out == "in __del__: 17 purezmq.sugar.context\n"


def test_a_name_purezmq_lacks_does_not_fall_back_to_pyzmq() -> None:
    out = _python("""
        import purezmq
        purezmq.install_as_zmq()
        try:
            import zmq.backend.cython
        except ModuleNotFoundError as exc:
            print("refused", exc.name)
    """)
    assert out.split() == ["refused", "purezmq.backend.cython"]


def test_install_after_pyzmq_was_imported_raises() -> None:
    out = _python("""
        import zmq
        import purezmq
        try:
            purezmq.install_as_zmq()
        except RuntimeError as exc:
            print("refused:", "imported already" in str(exc))
    """)
    assert out.strip() == "refused: True"


def test_purezmq_run_reaches_child_processes(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent("""
        import subprocess, sys
        import zmq
        child = subprocess.run(
            [sys.executable, "-c", "import zmq; print(zmq.Context.__module__)"],
            capture_output=True, text=True, check=True,
        )
        print(zmq.Context.__module__, child.stdout.strip(), sys.argv[1:])
    """))
    done = subprocess.run(
        [sys.executable, "-m", "purezmq", "run", str(program), "a", "b"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "purezmq.sugar.context purezmq.sugar.context ['a', 'b']"


def test_purezmq_run_dash_m_runs_a_module_with_its_exit_status(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("import sys, zmq\nprint(zmq.__name__)\nsys.exit(3)\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "purezmq", "run", "-m", "mod"],
        capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=tmp_path,
    )
    assert (done.returncode, done.stdout.strip()) == (3, "zmq")


@pytest.mark.parametrize("argv", [["run"], ["run", "-m"]])
def test_purezmq_run_without_a_program_is_a_usage_error(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "purezmq", *argv], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 2


def test_pyzmq_module_names_programs_import() -> None:
    out = _python("""
        import purezmq
        purezmq.install_as_zmq()
        import zmq
        from zmq.utils import jsonapi, strtypes, interop, win32
        from zmq.utils.garbage import gc
        from zmq.sugar import version
        print(jsonapi.loads(jsonapi.dumps({"a": [1]})), jsonapi.dumps("é"))
        print(version.__version__, version.version_info, zmq.zmq_version_info())
        print(zmq.backend.Socket is zmq.Socket, zmq.backend.zmq_poll is zmq.zmq_poll)
        print(interop.cast_int_addr(5), gc.refs)
        with win32.allow_interrupt(lambda: None):
            pass
    """)
    lines = out.splitlines()
    assert lines[0] == "{'a': [1]} b'\"\\\\u00e9\"'"
    assert lines[1] == "27.3.0 (27, 3, 0) (4, 3, 5)"
    assert lines[2] == "True True"
    assert lines[3] == "5 {}"
