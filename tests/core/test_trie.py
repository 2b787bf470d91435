"""Subscription matching: Trie (SUB/XSUB) and MultiTrie (PUB/XPUB), RFC 29 prefix matching."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.core.trie import MultiTrie, Trie

# Short strings over a tiny alphabet, so that prefixes of one another are common.
topics = st.binary(max_size=4).map(lambda b: bytes(x % 3 for x in b))
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)


# -- Trie ------------------------------------------------------------------------


def test_trie_prefix_match() -> None:
    """A message matches when some subscription is a prefix of it."""
    trie = Trie()
    trie.add(b"abc")
    trie.add(b"x")
    assert trie.match(b"abc")
    assert trie.match(b"abcdef")
    assert trie.match(b"x")
    assert trie.match(b"xyz")
    assert not trie.match(b"ab")
    assert not trie.match(b"abd")
    assert not trie.match(b"")
    assert not trie.match(b"yx")


def test_trie_empty_prefix_matches_everything() -> None:
    """The empty subscription matches every message, the empty one included."""
    trie = Trie()
    assert not trie.match(b"anything")
    trie.add(b"")
    assert trie.match(b"")
    assert trie.match(b"anything")
    assert trie.match(b"\x00\xff")


def test_trie_binary_prefixes() -> None:
    """Matching is a binary comparison: zero and high octets are ordinary."""
    trie = Trie()
    trie.add(b"\x00\xff")
    assert trie.match(b"\x00\xff\x00")
    assert not trie.match(b"\x00\xfe")


def test_trie_counted_subscriptions() -> None:
    """Subscribing twice needs unsubscribing twice."""
    trie = Trie()
    assert trie.add(b"t") is True
    assert trie.add(b"t") is False
    assert trie.remove(b"t") is False
    assert trie.match(b"topic")
    assert trie.remove(b"t") is True
    assert not trie.match(b"topic")
    assert len(trie) == 0


def test_trie_remove_unknown_is_ignored() -> None:
    """Removing a prefix nobody subscribed to returns False and changes nothing."""
    trie = Trie()
    trie.add(b"a")
    assert trie.remove(b"b") is False
    assert trie.remove(b"") is False
    assert trie.match(b"a")


def test_trie_iterates_distinct_prefixes() -> None:
    """Iteration yields each subscribed prefix once, whatever its count."""
    trie = Trie()
    for prefix in (b"a", b"a", b"bc", b""):
        trie.add(prefix)
    assert sorted(trie) == [b"", b"a", b"bc"]
    assert len(trie) == 3


def test_trie_iteration_survives_changes() -> None:
    """Removing while iterating is safe (XSUB re-sends while others may unsubscribe)."""
    trie = Trie()
    for prefix in (b"a", b"b", b"c"):
        trie.add(prefix)
    for prefix in trie:
        trie.remove(prefix)
    assert len(trie) == 0


@PROPERTY
@given(subs=st.lists(topics, max_size=8), data=topics)
def test_trie_matches_like_startswith(subs: list[bytes], data: bytes) -> None:
    """Trie.match(data) == any(data.startswith(p) for p in subs)."""
    trie = Trie()
    for prefix in subs:
        trie.add(prefix)
    assert trie.match(data) == any(data.startswith(p) for p in subs)


@PROPERTY
@given(
    ops=st.lists(st.tuples(st.booleans(), topics), max_size=30),
    probes=st.lists(topics, min_size=1, max_size=5),
)
def test_trie_add_remove_follow_a_counter(
    ops: list[tuple[bool, bytes]], probes: list[bytes]
) -> None:
    """After any adds and removes, the Trie matches what a Counter of subscriptions says."""
    trie, model = Trie(), Counter[bytes]()
    for add, prefix in ops:
        if add:
            assert trie.add(prefix) == (model[prefix] == 0)
            model[prefix] += 1
        else:
            assert trie.remove(prefix) == (model[prefix] == 1)
            if model[prefix]:
                model[prefix] -= 1
    live = [p for p, n in model.items() if n]
    assert sorted(trie) == sorted(live)
    for data in probes:
        assert trie.match(data) == any(data.startswith(p) for p in live)


# -- MultiTrie ------------------------------------------------------------------


def test_multitrie_match_returns_each_pipe_once() -> None:
    """A pipe subscribed to several prefixes of a message is matched once."""
    mt: MultiTrie[str] = MultiTrie()
    mt.add(b"a", "p1")
    mt.add(b"ab", "p1")
    mt.add(b"ab", "p2")
    mt.add(b"x", "p3")
    assert sorted(mt.match(b"abc")) == ["p1", "p2"]
    assert mt.match(b"a") == ["p1"]
    assert mt.match(b"b") == []
    assert mt.match(b"") == []


def test_multitrie_empty_prefix_matches_everything() -> None:
    """A pipe with the empty subscription receives every message."""
    mt: MultiTrie[str] = MultiTrie()
    mt.add(b"", "all")
    mt.add(b"t", "some")
    assert sorted(mt.match(b"topic")) == ["all", "some"]
    assert mt.match(b"") == ["all"]
    assert mt.match(b"other") == ["all"]


def test_multitrie_add_reports_first_subscriber() -> None:
    """add is True only for the first pipe on a prefix (XPUB delivers it once)."""
    mt: MultiTrie[str] = MultiTrie()
    assert mt.add(b"t", "p1") is True
    assert mt.add(b"t", "p2") is False
    assert mt.add(b"u", "p2") is True


def test_multitrie_remove_reports_last_subscriber() -> None:
    """remove is True only when the last pipe leaves the prefix."""
    mt: MultiTrie[str] = MultiTrie()
    mt.add(b"t", "p1")
    mt.add(b"t", "p2")
    assert mt.remove(b"t", "p1") is False
    assert mt.match(b"t") == ["p2"]
    assert mt.remove(b"t", "p2") is True
    assert mt.match(b"t") == []
    assert mt.prefixes() == []


def test_multitrie_remove_unknown_is_ignored() -> None:
    """Removing a prefix or a pipe that is not there returns False."""
    mt: MultiTrie[str] = MultiTrie()
    mt.add(b"t", "p1")
    assert mt.remove(b"t", "p2") is False
    assert mt.remove(b"u", "p1") is False
    assert mt.match(b"t") == ["p1"]


def test_multitrie_repeated_subscription_from_one_pipe_is_one() -> None:
    """As libzmq's mtrie, a pipe is subscribed or not: one remove undoes any number of adds."""
    mt: MultiTrie[str] = MultiTrie()
    assert mt.add(b"t", "p1") is True
    assert mt.add(b"t", "p1") is False
    assert mt.match(b"t") == ["p1"]
    assert mt.remove(b"t", "p1") is True
    assert mt.match(b"t") == []


def test_multitrie_remove_pipe_returns_orphaned_prefixes() -> None:
    """remove_pipe forgets the pipe and returns the prefixes nobody else holds."""
    mt: MultiTrie[str] = MultiTrie()
    mt.add(b"only", "p1")
    mt.add(b"shared", "p1")
    mt.add(b"shared", "p2")
    mt.add(b"twice", "p1")
    mt.add(b"twice", "p1")
    assert sorted(mt.remove_pipe("p1")) == [b"only", b"twice"]
    assert mt.prefixes() == [b"shared"]
    assert mt.match(b"only") == []
    assert mt.match(b"twice") == []
    assert mt.match(b"shared") == ["p2"]
    assert mt.remove_pipe("p1") == []


@PROPERTY
@given(subs=st.lists(st.tuples(st.sampled_from("pqr"), topics), max_size=10), data=topics)
def test_multitrie_matches_like_startswith(subs: list[tuple[str, bytes]], data: bytes) -> None:
    """MultiTrie.match(data) is the set of pipes with a prefix of data, each once."""
    mt: MultiTrie[str] = MultiTrie()
    for pipe, prefix in subs:
        mt.add(prefix, pipe)
    got = mt.match(data)
    assert len(got) == len(set(got))
    assert set(got) == {pipe for pipe, prefix in subs if data.startswith(prefix)}


@PROPERTY
@given(subs=st.lists(st.tuples(st.sampled_from("pqr"), topics), max_size=10))
def test_multitrie_remove_pipe_orphans(subs: list[tuple[str, bytes]]) -> None:
    """remove_pipe returns exactly the prefixes only that pipe held."""
    mt: MultiTrie[str] = MultiTrie()
    for pipe, prefix in subs:
        mt.add(prefix, pipe)
    mine = {prefix for pipe, prefix in subs if pipe == "p"}
    others = {prefix for pipe, prefix in subs if pipe != "p"}
    assert sorted(mt.remove_pipe("p")) == sorted(mine - others)
    assert sorted(mt.prefixes()) == sorted(others)
