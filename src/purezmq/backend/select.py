"""pyzmq's ``zmq.backend.select``: the names a backend provides, and how one is loaded.

pyzmq chooses between its Cython and CFFI backends with this; purezmq has a single
implementation (``purezmq.backend``), which ``select_backend("purezmq.backend")``
returns.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["public_api", "select_backend"]

public_api = [
    "Context",
    "Socket",
    "Frame",
    "Message",
    "proxy",
    "proxy_steerable",
    "zmq_poll",
    "strerror",
    "zmq_errno",
    "has",
    "curve_keypair",
    "curve_public",
    "zmq_version_info",
    "IPC_PATH_MAX_LEN",
    "PYZMQ_DRAFT_API",
]


def select_backend(name: str) -> dict[str, Any]:
    """The backend module ``name``'s names (those of ``public_api`` it has, and
    ``monitored_queue``). ImportError if it cannot be imported."""
    try:
        module = import_module(name)
    except ImportError:
        raise
    except Exception as exc:
        raise ImportError(f"Importing {name} failed with {exc}") from exc
    names = {"monitored_queue": module.monitored_queue}
    names.update({key: getattr(module, key) for key in public_api if hasattr(module, key)})
    return names
