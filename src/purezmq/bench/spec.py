"""What a benchmark run is made of: scenarios, their roles, message counts, parameters."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from typing import Any, NamedTuple

KINDS = ("thr", "lat", "fan", "idle")
# The scale scenarios (--scale): many connections or sockets (see .roles_scale).
SCALE_KINDS = ("router", "pubsub", "chain")
TRANSPORTS = ("tcp", "ipc", "inproc")
APIS = ("sync", "asyncio")
SELF = "purezmq"  # the library measured; --vs names the other one
FLOOR = "floor"
# The asyncio round trip's floor once more, with each reply written by a task that
# awaits the request (as the REP application of every library does) rather than
# inside data_received: what waking a task costs, whatever library is underneath.
FLOOR_TASK = "floor-task"
FLOORS = (FLOOR, FLOOR_TASK)

THR_SIZES = (16, 64, 1024, 65536, 1048576)
LAT_SIZES = (16, 1024)
# CURVE scenarios (every message boxed): 1 KiB throughput and round trip over tcp.
CURVE_SIZE = 1024
FAN_SIZE = 1024
FAN_SUBS = 4
IDLE_PAIRS = 100

# The N of each scale scenario (DEALERs, SUBs, sockets of the chain), its transport and
# its message size.
SCALE_PEERS = {"router": (1_000, 10_000), "pubsub": (100, 1_000), "chain": (1_000,)}
SCALE_TRANSPORT = {"router": "tcp", "pubsub": "tcp", "chain": "inproc"}
SCALE_SIZE = {"router": 16, "pubsub": 1024, "chain": 16}
# Work per scale run, (--quick, full), shared out over its N: requests the ROUTER
# echoes (K per DEALER), messages the SUBs receive (M from the PUB), sockets the
# messages go through (M through the chain). A few seconds of it at full size.
SCALE_WORK = {
    "router": (50_000, 500_000),
    "pubsub": (20_000, 200_000),
    "chain": (300_000, 3_000_000),
}
# Requests a DEALER has in flight at most: well under the default HWM of 1000, so that
# no pipe fills, a DEALER never blocks and the ROUTER never drops an echo.
ROUTER_MAX_K = 500
# Messages the PUB sends at most: the default HWM, so that SUBs slower than the PUB
# lose few of them or none (a PUB drops what a SUB's pipe has no room for). At twice
# that, libzmq's SUBs got half of them and purezmq's most.
PUBSUB_MAX_M = 1000
CHAIN_WINDOW = 100  # messages in flight through the chain together
# DEALERs one process of the router scenario makes at most: its N DEALERs are spread
# over as few processes as that allows (see dealer_shares), the same for every library.
# libzmq opens a descriptor per socket and one per connection: 10,000 DEALERs in one
# process took 20,041, over the hard RLIMIT_NOFILE of 20,000 that some machines have;
# 2,500 take about 5,000.
DEALERS_PER_PROCESS = 2_500

# Messages per run, (--quick, full): enough that the timed window is well past the
# buffering of the start (HWMs and socket buffers) for the slowest library.
COUNTS: dict[str, dict[int, tuple[int, int]]] = {
    "thr": {
        16: (100_000, 1_000_000),
        64: (100_000, 1_000_000),
        1024: (50_000, 500_000),
        65536: (2_000, 20_000),
        1048576: (128, 1_000),
    },
    "lat": {0: (2_000, 20_000)},
    "fan": {0: (50_000, 200_000)},
}

# kind -> (binder role, connecter role, how many connecters); the router's connecters
# depend on its N, one per share of its DEALERs: see connecter_shares.
ROLES: dict[str, tuple[str, str, int]] = {
    "thr": ("thr_recv", "thr_send", 1),
    "lat": ("lat_rep", "lat_req", 1),
    "fan": ("fan_pub", "fan_sub", FAN_SUBS),
    "router": ("router_bind", "router_dealers", 1),
    "pubsub": ("pubsub_pub", "pubsub_subs", 1),
}
# Kinds whose run is one role in one process: kind -> role.
SOLO_ROLES = {"idle": "idle", "chain": "chain"}


def size_label(size: int) -> str:
    """16, 64, 1k, 64k, 1m: the size as it appears in scenario names."""
    for unit, label in ((1 << 20, "m"), (1 << 10, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{label}"
    return str(size)


@dataclass(frozen=True)
class Scenario:
    kind: str
    transport: str
    size: int
    api: str
    copy: bool = False  # each message made anew and copied on receipt (see .copying)
    curve: bool = False  # the sockets speak CURVE (fixed keys, the same for both libraries)
    peers: int = 0  # a scale scenario's N: DEALERs, SUBs, sockets of the chain
    # router: DEALERs in one process at most (not in the name: the tests make it small)
    dealers_per_process: int = DEALERS_PER_PROCESS

    @property
    def name(self) -> str:
        if self.kind == "idle":
            return f"idle-{self.transport}-{self.api}"
        if self.kind in SCALE_KINDS:
            return f"{self.kind}-{self.transport}-{self.peers}-{self.api}"
        name = f"{self.kind}-{self.transport}-{size_label(self.size)}-{self.api}"
        if self.curve:
            name += "-curve"
        return name + "-copy" if self.copy else name

    @property
    def floors(self) -> list[str]:
        """The floor runs that go with this scenario's runs (a copy row shares its twin's)."""
        if self.copy or self.curve:
            return []  # the floors' raw sockets have no CURVE; a copy row shares its twin's
        if self.kind == "thr":
            return [FLOOR]
        if self.kind == "lat":
            return [FLOOR, FLOOR_TASK] if self.api == "asyncio" else [FLOOR]
        return []

    def count(self, quick: bool, override: int | None) -> int:
        """Messages (round trips for lat, pairs for idle, requests per DEALER for router)
        in one run."""
        if self.kind == "idle":
            return IDLE_PAIRS
        if self.kind in SCALE_KINDS:
            return self._scale_count(quick, override)
        if override is not None:
            return max(2, override)
        quick_count, full_count = COUNTS[self.kind][self.size if self.kind == "thr" else 0]
        return quick_count if quick else full_count

    def _scale_count(self, quick: bool, override: int | None) -> int:
        if override is not None:
            count = max(1, override)
        else:
            count = max(1, SCALE_WORK[self.kind][0 if quick else 1] // self.peers)
        most = {"router": ROUTER_MAX_K, "pubsub": PUBSUB_MAX_M}.get(self.kind, count)
        return min(count, most)


def dealer_shares(dealers: int, most: int) -> list[range]:
    """The DEALERs of each process of a router run, as ranges of their indexes: as few
    processes as hold at most ``most`` each, the DEALERs shared out evenly (the shares
    differ by one at most) and numbered on from one process to the next."""
    processes = max(1, -(-dealers // most))
    bounds = [dealers * index // processes for index in range(processes + 1)]
    return [range(start, stop) for start, stop in pairwise(bounds)]


def connecter_shares(s: Scenario) -> list[range]:
    """One range of peer indexes per connecter process of a run of ``s``, the peers that
    process makes: the router's DEALERs split by :func:`dealer_shares`; for the other
    kinds, :data:`ROLES`' number of processes, each with all of N (the pubsub's SUBs)."""
    if s.kind == "router":
        return dealer_shares(s.peers, s.dealers_per_process)
    return [range(s.peers)] * ROLES[s.kind][2]


def scale_scenarios() -> list[Scenario]:
    """The scenarios of --scale: each kind, each N, each API."""
    return [
        Scenario(kind, SCALE_TRANSPORT[kind], SCALE_SIZE[kind], api, peers=peers)
        for kind in SCALE_KINDS
        for peers in SCALE_PEERS[kind]
        for api in APIS
    ]


def with_peers(scenarios: list[Scenario], peers: int) -> list[Scenario]:
    """``scenarios`` with the N of each scale one replaced by ``peers`` (the tests' small
    runs), each name once."""
    out: dict[str, Scenario] = {}
    for s in scenarios:
        scaled = replace(s, peers=peers) if s.kind in SCALE_KINDS else s
        out.setdefault(scaled.name, scaled)
    return list(out.values())


def all_scenarios(copy: bool = False, scale: bool = False) -> list[Scenario]:
    """Every scenario; with ``copy``, each inproc throughput one followed by its -copy twin;
    with ``scale``, the scale scenarios at the end."""
    out: list[Scenario] = []
    for transport in TRANSPORTS:
        for size in THR_SIZES:
            for api in APIS:
                out.append(Scenario("thr", transport, size, api))
                if copy and transport == "inproc":
                    out.append(Scenario("thr", transport, size, api, copy=True))
    for transport in TRANSPORTS:
        for size in LAT_SIZES:
            out += [Scenario("lat", transport, size, api) for api in APIS]
    for transport in TRANSPORTS:
        out += [Scenario("fan", transport, FAN_SIZE, api) for api in APIS]
    out += [Scenario("idle", "tcp", 0, api) for api in APIS]
    for kind in ("thr", "lat"):
        out += [Scenario(kind, "tcp", CURVE_SIZE, api, curve=True) for api in APIS]
    return out + scale_scenarios() if scale else out


def select(
    apis: list[str],
    transports: list[str],
    filters: list[str],
    copy: bool = False,
    scale: bool = False,
) -> list[Scenario]:
    """The scenarios of these APIs and transports whose name contains one of ``filters``."""
    return [
        s
        for s in all_scenarios(copy, scale)
        if s.api in apis
        and s.transport in transports
        and (not filters or any(f in s.name for f in filters))
    ]


class Step(NamedTuple):
    """One run of the plan: a scenario, a library (or a floor), which repeat (from 0)."""

    scenario: Scenario
    lib: str
    repeat: int


def plan(scenarios: list[Scenario], libs: list[str], repeat: int, floors: bool) -> list[Step]:
    """Every run, scenario by scenario; within a repeat the libraries (then floors) in turn."""
    return [
        Step(s, lib, r)
        for s in scenarios
        for r in range(repeat)
        for lib in libs + (s.floors if floors else [])
    ]


@dataclass
class Params:
    """Everything a worker needs for one role of one run (sent to it as JSON)."""

    role: str
    lib: str
    api: str
    kind: str
    transport: str
    size: int
    count: int
    ipc_dir: str
    subs: int = FAN_SUBS
    peers: int = 0  # a binder's N; the peers a connecter makes, its share of N
    first: int = 0  # the index of its first peer (a router's DEALERs: over all processes)
    stats: bool = False
    uvloop: bool = False
    copy: bool = False
    curve: bool = False
    lifetime: float = 0.0  # seconds after which the worker kills itself (0: never)
    endpoints: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Params:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)

    def but(self, **changes: Any) -> Params:
        return replace(self, **changes)
