"""Subscription matching: which prefixes a message's first frame starts with.

Theory of operation (RFC 29 "prefix matching"; libzmq ``trie_t`` / ``mtrie_t``):
libzmq walks a byte trie. In Python a per-byte node walk is slow, so we keep the
subscriptions in a dict keyed by prefix plus the sorted set of distinct prefix
lengths; matching costs one slice and one dict lookup per distinct length, which
in practice is a handful. Subscriptions are counted: subscribing twice needs
unsubscribing twice (libzmq behaviour).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _Lengths:
    """Sorted distinct prefix lengths with a use count each."""

    __slots__ = ("counts", "sorted")

    def __init__(self) -> None:
        self.sorted: list[int] = []
        self.counts: dict[int, int] = {}

    def add(self, n: int) -> None:
        if n in self.counts:
            self.counts[n] += 1
        else:
            self.counts[n] = 1
            bisect.insort(self.sorted, n)

    def remove(self, n: int) -> None:
        self.counts[n] -= 1
        if not self.counts[n]:
            del self.counts[n]
            self.sorted.remove(n)


class Trie:
    """A counted set of subscription prefixes (SUB, XSUB filtering)."""

    __slots__ = ("_lengths", "_subs")

    def __init__(self) -> None:
        self._subs: dict[bytes, int] = {}
        self._lengths = _Lengths()

    def __len__(self) -> int:
        return len(self._subs)

    def __iter__(self) -> Iterator[bytes]:
        return iter(list(self._subs))

    def add(self, prefix: bytes) -> bool:
        """Count one more subscription to ``prefix``; True if it is new."""
        count = self._subs.get(prefix, 0)
        self._subs[prefix] = count + 1
        if count:
            return False
        self._lengths.add(len(prefix))
        return True

    def remove(self, prefix: bytes) -> bool:
        """Count one fewer; True if that was the last one. Unknown prefixes are ignored."""
        count = self._subs.get(prefix, 0)
        if not count:
            return False
        if count > 1:
            self._subs[prefix] = count - 1
            return False
        del self._subs[prefix]
        self._lengths.remove(len(prefix))
        return True

    def match(self, data: bytes) -> bool:
        """True if some subscription is a prefix of ``data``."""
        subs = self._subs
        n = len(data)
        for length in self._lengths.sorted:
            if length > n:
                return False
            if data[:length] in subs:
                return True
        return False


class MultiTrie(Generic[T]):
    """Subscription prefixes, each with the set of pipes that asked for it (XPUB, PUB).

    As libzmq's ``mtrie_t``, a pipe is either subscribed to a prefix or not: a repeated
    subscription from the same pipe changes nothing (the SUB side does the counting).
    """

    __slots__ = ("_lengths", "_subs")

    def __init__(self) -> None:
        self._subs: dict[bytes, dict[T, None]] = {}
        self._lengths = _Lengths()

    def add(self, prefix: bytes, pipe: T) -> bool:
        """Subscribe ``pipe`` to ``prefix``; True if no pipe had subscribed to it before."""
        holders = self._subs.get(prefix)
        if holders is None:
            self._subs[prefix] = {pipe: None}
            self._lengths.add(len(prefix))
            return True
        holders[pipe] = None
        return False

    def remove(self, prefix: bytes, pipe: T) -> bool:
        """Unsubscribe ``pipe`` from ``prefix``; True if no pipe is left on it."""
        holders = self._subs.get(prefix)
        if holders is None or pipe not in holders:
            return False
        del holders[pipe]
        if holders:
            return False
        del self._subs[prefix]
        self._lengths.remove(len(prefix))
        return True

    def remove_pipe(self, pipe: T, every: bool = False) -> list[bytes]:
        """Forget every subscription of ``pipe``; returns the prefixes nobody holds now
        (with ``every``, all the prefixes ``pipe`` held)."""
        removed = []
        for prefix in [p for p, holders in self._subs.items() if pipe in holders]:
            if self.remove(prefix, pipe) or every:
                removed.append(prefix)
        return removed

    def match(self, data: bytes) -> list[T]:
        """Every pipe subscribed to a prefix of ``data``, each once."""
        subs = self._subs
        n = len(data)
        found: dict[T, None] | None = None
        first: dict[T, None] | None = None
        for length in self._lengths.sorted:
            if length > n:
                break
            holders = subs.get(data[:length])
            if holders is None:
                continue
            if first is None:
                first = holders
            else:
                if found is None:
                    found = dict.fromkeys(first)
                found.update(dict.fromkeys(holders))
        if found is not None:
            return list(found)
        return list(first) if first is not None else []

    def prefixes(self) -> list[bytes]:
        """Every subscribed prefix."""
        return list(self._subs)
