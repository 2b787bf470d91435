"""SUB (RFC 29): XSUB driven by the SUBSCRIBE / UNSUBSCRIBE options.

General behavior:
- MAY be connected to any number of PUB or XPUB peers, and SHALL NOT send messages.
- SHALL send a subscription to every peer for each SUBSCRIBE, and an unsubscription for
  the UNSUBSCRIBE that removes a topic's last subscription.
For processing incoming messages:
- SHALL deliver only messages that match one of its subscriptions (prefix match).
"""

from __future__ import annotations

from typing import Any

from ..errors import ENOTSUP, CoreError
from ..option_ids import Opt
from ..options import check_value
from ..pipe import Msg
from .xsub import XSub


class Sub(XSub):
    type_id = 2
    type_name = "SUB"

    def xcheck_send(self) -> None:
        raise CoreError(ENOTSUP, "SUB sockets cannot send")

    def xsend(self, msg: Msg) -> None:
        self.xcheck_send()

    def xsetsockopt(self, option: int, value: Any) -> bool:
        if option not in (Opt.SUBSCRIBE, Opt.UNSUBSCRIBE):
            return super().xsetsockopt(option, value)
        check_value(option, value)
        prefix = b"\x01" if option == Opt.SUBSCRIBE else b"\x00"
        super().xsend([prefix + value])
        return True

    def xhas_out(self) -> bool:
        return False
