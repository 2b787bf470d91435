"""``python -m zmq.curve_keygen``: print a new CURVE key pair (pyzmq's command).

Prints the public and the secret key (z85 text), or a JSON object with ``--json``;
``--secret KEY`` prints the public key of an existing secret key instead of making
a new pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def _keys(secret: str | None) -> tuple[str, str]:
    """(public, secret), both z85 text."""
    import purezmq

    keypair = getattr(purezmq, "curve_keypair", None)
    public_of = getattr(purezmq, "curve_public", None)
    if keypair is None or public_of is None:
        raise SystemExit("curve_keygen: this purezmq has no CURVE support yet")
    if secret is not None:
        return public_of(secret.encode()).decode(), secret
    public, new_secret = keypair()
    return public.decode(), new_secret.decode()


def _secret_joined(argv: Sequence[str]) -> list[str]:
    """``--secret KEY`` as ``--secret=KEY``: a z85 key may start with "-", which argparse
    would take for an option."""
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--secret":
            out[i : i + 2] = [f"--secret={out[i + 1]}"]
            break
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print the keys; the exit status."""
    parser = argparse.ArgumentParser(prog="python3 -m zmq.curve_keygen", description=__doc__)
    parser.add_argument("--json", action="store_true", help="output keys as JSON dict")
    parser.add_argument("--secret", type=str, help="specify secret key to derive a public key")
    opts = parser.parse_args(_secret_joined(sys.argv[1:] if argv is None else argv))
    public, secret = _keys(opts.secret)
    if opts.json:
        json.dump({"public": public, "secret": secret}, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    else:
        # libzmq's curve_keygen layout, without its disclaimer
        print(f"== CURVE PUBLIC KEY ==\n{public}\n\n== CURVE SECRET KEY ==\n{secret}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
