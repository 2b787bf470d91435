"""Coverage-guided fuzzing of the ZMTP decoder and handshake with atheris (libFuzzer).

Not collected by pytest (no test_ prefix). The same check as test_fuzz_zmtp.py: a
ZmtpConnection fed the input whole and in pieces must report exactly what the
reference model in zmtp_model.py predicts; any other outcome, or any exception
but the documented RemoteProtocolError, is a crash that libFuzzer saves.

    pip install -e '.[fuzz]'
    python tests/robustness/fuzz_zmtp_atheris.py -atheris_runs=1000000 [corpus_dir]

The first input octets choose the socket type, MAXMSGSIZE, role, EOF and where
the stream is cut; a second choice decides whether the rest follows a valid
greeting (and READY), so that the fuzzer starts deep enough to reach traffic.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

with atheris.instrument_imports(include=["purezmq"]):
    from tests.robustness.zmtp_model import (
        PEERS,
        SOCKET_TYPES,
        check,
        command,
        greeting,
        properties,
    )

MAXMSGSIZES = (-1, -1, -1, -1, 0, 1, 255, 256, 70_000)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    our_type = SOCKET_TYPES[fdp.ConsumeIntInRange(0, len(SOCKET_TYPES) - 1)]
    maxmsgsize = MAXMSGSIZES[fdp.ConsumeIntInRange(0, len(MAXMSGSIZES) - 1)]
    as_server, eof = fdp.ConsumeBool(), fdp.ConsumeBool()
    start = fdp.ConsumeIntInRange(0, 2)
    points = [fdp.ConsumeIntInRange(0, 1 << 16) for _ in range(fdp.ConsumeIntInRange(0, 8))]
    stream = b""
    if start >= 1:
        stream = greeting((3, fdp.ConsumeIntInRange(0, 1)), fdp.ConsumeBool())
    if start == 2:
        peer = PEERS[our_type][0].encode()
        stream += command(b"READY", properties([(b"Socket-Type", peer)]))
    stream += fdp.ConsumeBytes(fdp.remaining_bytes())
    check(stream, our_type, maxmsgsize, as_server, eof, points)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
