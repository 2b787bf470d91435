"""``python -m purezmq.auth``: see purezmq.auth.keygen."""

from __future__ import annotations

import sys

from .keygen import main

sys.exit(main())
