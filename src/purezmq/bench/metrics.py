"""The numbers of a run, from its workers' results: what the table and the JSON show."""

from __future__ import annotations

from typing import Any

from .spec import Scenario

Result = dict[str, Any]


def metrics(s: Scenario, raw: dict[str, Any]) -> dict[str, Any]:
    """The run's figures; raises KeyError if a result lacks one they need."""
    binder: Result = raw["binder"]
    connecters: list[Result] = raw["connecters"]
    everyone = [binder, *connecters]
    out: dict[str, Any] = {"rss_mib": max(r["rss_kib"] for r in everyone) / 1024}
    if s.kind == "thr":
        out |= {"msg_s": binder["msg_s"], "mb_s": binder["mb_s"]}
        out |= cpu_per_message(raw, binder["count"])
    elif s.kind == "lat":
        out |= {k: connecters[0][k] for k in ("mean_us", "p50_us", "p99_us")}
    elif s.kind == "fan":
        out |= _fan(binder, connecters)
    elif s.kind == "idle":
        out |= {k: binder[k] for k in ("kib_per_conn", "kib_per_socket", "growth_kib")}
    else:
        out |= _scale(s.kind, binder, connecters)
    return out


def _scale(kind: str, binder: Result, connecters: list[Result]) -> dict[str, Any]:
    """router: connections/s, requests echoed/s, the ROUTER's RSS growth per connection;
    pubsub: deliveries/s of all the SUBs together and the share delivered; chain:
    messages/s through it and the time one takes alone."""
    if kind == "router":
        return {k: binder[k] for k in ("conn_s", "msg_s", "kib_per_conn", "growth_kib")}
    if kind == "pubsub":
        subs = connecters[0]
        return {
            "msg_s": subs["msg_s"],
            "delivered": subs["received"] / (subs["subs"] * binder["sent"]),
            "pub_msg_s": binder["pub_msg_s"],
        }
    return {k: binder[k] for k in ("msg_s", "cross_us")}


def _fan(pub: Result, subs: list[Result]) -> dict[str, Any]:
    rates = [c["msg_s"] for c in subs]
    received = [c["received"] for c in subs]
    return {
        "msg_s": sum(rates) / len(rates),
        "min_msg_s": min(rates),
        "delivered": sum(received) / len(received) / pub["sent"],
        "pub_msg_s": pub["pub_msg_s"],
    }


def cpu_per_message(raw: dict[str, Any], count: int) -> dict[str, float]:
    """User and system CPU seconds that both ends spent on the transfer, and their sum per
    message in microseconds (``cpu_us``); empty if an end's figures are missing (a
    worker killed before it said them).

    Each end counts from just before its first send or receive. Ends in processes of
    their own count until they are released, once every end has reported; the ends of
    an inproc run share a process, counted once, until the last of them is done.
    """
    ends: list[Result] = [raw["binder"], *raw["connecters"]]
    if "cpu_end" in raw:
        start = {k: min(e["cpu_start"][k] for e in ends) for k in ("user", "system")}
        spans = [(start, raw["cpu_end"])]
    elif all("cpu_end" in e for e in ends):
        spans = [(e["cpu_start"], e["cpu_end"]) for e in ends]
    else:
        return {}
    user = sum(end["user"] - begin["user"] for begin, end in spans)
    system = sum(end["system"] - begin["system"] for begin, end in spans)
    return {"cpu_user_s": user, "cpu_sys_s": system, "cpu_us": (user + system) / count * 1e6}
