"""Synthetic descriptor trees for benchmarks: a plausible landscape of N services.

    python benchmarks/generate.py 20000 /tmp/landscape --seed 1 [--profile heavy-tailed]

writes a tree valid under SPEC §1: ``teams.yaml``, ``datacenters.yaml``, ``clients.yaml``,
host inventories under ``inventory/<dc>/`` (one sequence of hosts per group of racks) and one
file per service under ``services/<team>/``. Services are numbered from the bottom layer
(storage) up to the edge; dependencies point downward and are drawn by preferential attachment,
so a few low-layer services are depended on by very many. A few hard and soft cycles are
planted on purpose, and ``landscape.json`` (not a descriptor: the loader reads only ``*.yaml``)
records them with the counts and a heavily used service to aim blast-radius at.

Two profiles (``PROFILES``): ``classic``, ten hosts per service shared by up to three services
in 4-6 data centers, 3-8 dependency entries each, 18% soft, squads of ~25 services; and
``heavy-tailed``, shaped like the large backends of Alibaba's production traces (Luo et al.,
SoCC 2021): a power-law number of entries per service, targets drawn by preferential attachment
with a small initial attractiveness (Price's model), so a few hub services have thousands of
dependents, 40% soft entries, 1-5 dedicated hosts per deployment in 1-3 of 5 data centers
(about 6 hosts per service), squads of ~8 services in 12 tribes.

The same N, seed and options always give the same bytes. YAML text is written directly, not
through ``yaml.dump``, so 20,000 services take seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1
PROFILES = ("classic", "heavy-tailed")
HOSTS_PER_RACK = 40
RACKS_PER_FILE = 50  # 2,000 hosts per inventory file

DATACENTERS = (
    ("lon1", "London", "eu-west"),
    ("sto1", "Stockholm", "eu-north"),
    ("ash1", "Ashburn", "us-east"),
    ("sjc1", "San Jose", "us-west"),
    ("ams1", "Amsterdam", "eu-west"),
    ("gew1", "Frankfurt", "eu-central"),
)
DOMAINS = (
    "playlist", "search", "user", "payment", "ads", "metadata", "social", "radio", "artist",
    "album", "track", "lyrics", "discovery", "login", "session", "storage", "royalty", "report",
    "notification", "image", "audio", "ingest", "catalog", "charts", "podcast", "concert",
)
ROLES_BY_LAYER = (
    ("cassandra", "postgres", "memcache", "hdfs", "kafka", "zookeeper"),  # storage
    ("store", "index", "cache", "resolver", "registry"),  # core
    ("service", "worker", "indexer", "aggregator", "scheduler"),  # backend
    ("api", "gateway", "frontend", "proxy"),  # edge
)
LAYER_NAMES = ("storage", "core", "backend", "edge")
LANGUAGES = ("java", "python", "python", "java", "scala", "cpp", "go")
HOST_MODELS = ("dl380g7", "dl360g8", "r720", "r620", "sm6026")
CLIENTS = ("ios", "android", "desktop", "web-player", "partner-api", "sonos", "ps3")
WORDS = (
    "amber", "birch", "cedar", "delta", "ember", "fjord", "glade", "heron", "indigo", "juniper",
    "kestrel", "lumen", "maple", "nova", "opal", "pine", "quartz", "raven", "sable", "tundra",
)
READINESS = (
    "build", "logging", "monitoring", "alerting", "backups", "restore_tested",
    "security_review", "runbook",
)


@dataclass
class Dep:
    """One dependency entry: targets are service indexes; ``group`` marks an any_of entry."""

    targets: list[int]
    soft: bool = False
    group: bool = False
    description: str | None = None


@dataclass
class Svc:
    index: int
    name: str
    layer: int
    team: str | None
    deps: list[Dep] = field(default_factory=list)
    deployments: list[tuple[str, list[str] | int]] = field(default_factory=list)


class HostPool:
    """The hosts of one data center, handed out across racks, each to at most three services."""

    def __init__(self, names_by_rack: list[list[str]]):
        # Interleave racks (slot-major) so consecutive picks land in different racks.
        self.order = [
            rack[slot]
            for slot in range(max((len(r) for r in names_by_rack), default=0))
            for rack in names_by_rack
            if slot < len(rack)
        ]
        self.cursor = 0
        self.uses: dict[str, int] = {}
        self.shareable: list[str] = []

    def pick(self, rng: random.Random, count: int) -> list[str]:
        chosen: list[str] = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            host = self._one(rng)
            if host is None:
                break
            if host not in chosen:
                chosen.append(host)
                self.uses[host] = self.uses.get(host, 0) + 1
                if self.uses[host] == 1:
                    self.shareable.append(host)
        return chosen

    def _one(self, rng: random.Random) -> str | None:
        share = self.shareable and (rng.random() < 0.3 or self.cursor >= len(self.order))
        if share:
            for _ in range(4):
                host = rng.choice(self.shareable)
                if self.uses[host] < 3:
                    return host
        if self.cursor < len(self.order):
            self.cursor += 1
            return self.order[self.cursor - 1]
        return rng.choice(self.shareable) if self.shareable else None


# ---------------------------------------------------------------------------------------------
# The model of the landscape


def layer_of(index: int, n: int) -> int:
    fraction = index / max(n, 1)
    return 0 if fraction < 0.1 else 1 if fraction < 0.35 else 2 if fraction < 0.8 else 3


def service_names(n: int, rng: random.Random) -> list[str]:
    width = max(4, len(str(n - 1)))
    names = []
    for i in range(n):
        roles = ROLES_BY_LAYER[layer_of(i, n)]
        names.append(f"{rng.choice(DOMAINS)}-{rng.choice(roles)}-{i:0{width}d}")
    return names


def make_teams(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(team, tribe) pairs: about N/25 teams in about N/200 + 1 tribes."""
    tribes = [f"{WORDS[i % len(WORDS)]}-tribe-{i:02d}" for i in range(n // 200 + 1)]
    count = max(2, round(n / 25))
    return [
        (f"{rng.choice(WORDS)}-squad-{i:03d}", tribes[i * len(tribes) // count])
        for i in range(count)
    ]


def draw_dependencies(services: list[Svc], rng: random.Random) -> None:
    """Preferential attachment, downward only: each service picks 3–8 entries among lower ones,
    weighted by how often they are already depended on (plus one)."""
    pool: list[int] = [0]
    for svc in services[1:]:
        i = svc.index
        wanted = min(rng.randint(3, 8), i)
        taken: set[int] = set()
        if i >= 6 and rng.random() < 0.12:
            size = rng.choice((2, 2, 3))
            group = _distinct(lambda: rng.choice(pool), size, taken)
            if len(group) >= 2:
                svc.deps.append(Dep(group, soft=rng.random() < 0.2, group=True))
                wanted -= 1
        for target in _distinct(lambda: rng.choice(pool), max(wanted, 0), taken):
            soft = rng.random() < 0.18
            description = "degrades gracefully without it" if soft and rng.random() < 0.5 else None
            svc.deps.append(Dep([target], soft=soft, description=description))
        for dep in svc.deps:
            pool.extend(dep.targets)
        pool.append(i)


def _distinct(draw, count: int, taken: set[int]) -> list[int]:
    """Up to ``count`` targets from ``draw()`` not in ``taken`` (which they join), in six tries each."""
    chosen: list[int] = []
    for _ in range(count * 6):
        if len(chosen) == count:
            break
        candidate = draw()
        if candidate not in taken:
            taken.add(candidate)
            chosen.append(candidate)
    return chosen


def plant_cycles(
    services: list[Svc], rng: random.Random, count: int, soft: bool, used: set[int]
) -> list[list[str]]:
    """Close ``count`` cycles among upper-layer services: walk s -> t (-> u) along hard plain
    dependencies and add a dependency from the last one back to s (soft when ``soft``).
    Services in ``used`` (earlier cycles) are avoided, and the new members added to it."""
    n = len(services)
    planted: list[list[str]] = []
    floor = n // 2 if n >= 40 else 1
    for _ in range(count * 200):
        if len(planted) == count:
            break
        start = services[rng.randrange(floor, n)]
        chain = [start.index]
        for _ in range(rng.choice((1, 2, 2, 3))):
            here = services[chain[-1]]
            steps = [d.targets[0] for d in here.deps if not d.soft and not d.group]
            steps = [t for t in steps if t >= floor and t not in chain]
            if not steps:
                break
            chain.append(rng.choice(steps))
        if len(chain) < 2 or used.intersection(chain):
            continue
        used.update(chain)
        last = services[chain[-1]]
        last.deps.append(Dep([start.index], soft=soft, description="planted cycle"))
        planted.append([services[i].name for i in chain])
    return planted


def place_deployments(services: list[Svc], pools: dict[str, HostPool], rng: random.Random) -> list[str]:
    """Deployments over 1–3 data centers; returns the names of the single-host services."""
    dcs = list(pools)
    n = len(services)
    single = set(rng.sample(range(n), max(1, n // 100)))
    undeployed = set(rng.sample(range(n), n // 60)) - single
    single_names = []
    for svc in services:
        if svc.index in undeployed:
            continue
        if svc.index in single:
            svc.deployments.append((dc := rng.choice(dcs), pools[dc].pick(rng, 1)))
            single_names.append(svc.name)
            continue
        for dc in rng.sample(dcs, rng.choice((1, 2, 2, 3))):
            if rng.random() < 0.15:
                svc.deployments.append((dc, rng.randint(2, 12)))
            else:
                svc.deployments.append((dc, pools[dc].pick(rng, rng.randint(2, 10))))
    return sorted(single_names)


# ---------------------------------------------------------------------------------------------
# The heavy-tailed profile

HEAVY_DATACENTERS = 5
HEAVY_TRIBES = 12
HEAVY_TEAM_SIZE = 8
HEAVY_SOFT = 0.4  # share of soft dependency entries
HEAVY_ATTRACTIVENESS = 0.5  # Price's model: P(target j) ~ dependents(j) + 0.5
HEAVY_OUT_ALPHA, HEAVY_OUT_SCALE, HEAVY_OUT_CAP = 1.5, 2.0, 60  # entries ~ Pareto(1.5) x 2, 1..60
HEAVY_ANY_OF = 0.08  # share of services with one any_of entry


def make_small_teams(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(team, tribe) pairs: about N/8 teams spread evenly over 12 tribes."""
    tribes = [f"{WORDS[i % len(WORDS)]}-tribe-{i:02d}" for i in range(HEAVY_TRIBES)]
    count = max(2, round(n / HEAVY_TEAM_SIZE))
    width = max(3, len(str(count - 1)))
    return [(f"{rng.choice(WORDS)}-squad-{i:0{width}d}", tribes[i * len(tribes) // count]) for i in range(count)]


def draw_heavy_tailed_dependencies(services: list[Svc], rng: random.Random) -> None:
    """Downward only. Each service takes a Pareto-distributed number of entries; each target is
    an earlier service drawn with probability proportional to its dependents so far plus
    ``HEAVY_ATTRACTIVENESS`` (Price's model), which gives a power-law in-degree: at 20,000
    services the top services have thousands of dependents, most have none."""
    pool: list[int] = []  # one element per dependency drawn so far: its target

    def pick(i: int) -> int:
        if pool and rng.random() * (len(pool) + HEAVY_ATTRACTIVENESS * i) < len(pool):
            return rng.choice(pool)
        return rng.randrange(i)

    for svc in services[1:]:
        i = svc.index
        wanted = min(i, HEAVY_OUT_CAP, max(1, int(rng.paretovariate(HEAVY_OUT_ALPHA) * HEAVY_OUT_SCALE)))
        taken: set[int] = set()
        if i >= 6 and rng.random() < HEAVY_ANY_OF:
            group = _distinct(lambda i=i: pick(i), rng.choice((2, 2, 3)), taken)
            if len(group) >= 2:
                svc.deps.append(Dep(group, soft=rng.random() < HEAVY_SOFT, group=True))
                wanted = max(wanted - 1, 0)
        for target in _distinct(lambda i=i: pick(i), wanted, taken):
            soft = rng.random() < HEAVY_SOFT
            description = "degrades gracefully without it" if soft and rng.random() < 0.25 else None
            svc.deps.append(Dep([target], soft=soft, description=description))
        for dep in svc.deps:
            pool.extend(dep.targets)


def plan_small_deployments(services: list[Svc], dcs: list[str], rng: random.Random) -> dict[int, list[tuple[str, int]]]:
    """Service index -> [(data center, hosts)]: 1-3 of the data centers, 1-5 hosts in each;
    about one service in a hundred has no deployment."""
    n = len(services)
    undeployed = set(rng.sample(range(n), n // 100))
    return {svc.index: [(dc, rng.randint(1, 5)) for dc in rng.sample(dcs, rng.choice((1, 2, 2, 3)))]
            for svc in services if svc.index not in undeployed}


def dedicated_hosts(demand: dict[str, int], rng: random.Random):
    """Inventory files holding exactly ``demand[dc]`` hosts per data center, 40 to a rack, and
    per data center the host names in rack-interleaved order (consecutive hosts stand in
    different racks, so a service's hosts spread over racks)."""
    files, order = [], {}
    for dc, total in demand.items():
        sub, racks = inventory_files([(dc, "", "")], total, rng)
        files += sub
        order[dc] = HostPool(racks[dc]).order
    return files, order


def place_small_deployments(services: list[Svc], plan, order: dict[str, list[str]]) -> list[str]:
    """Hand each planned deployment its hosts (each host runs one service); returns the names of
    the single-host services."""
    cursor = dict.fromkeys(order, 0)
    single = []
    for svc in services:
        for dc, count in plan.get(svc.index, ()):
            svc.deployments.append((dc, order[dc][cursor[dc]:cursor[dc] + count]))
            cursor[dc] += count
        if sum(len(hosts) for _, hosts in svc.deployments) == 1:
            single.append(svc.name)
    return sorted(single)


# ---------------------------------------------------------------------------------------------
# YAML text


def service_yaml(svc: Svc, names: list[str], rng: random.Random, n: int) -> str:
    lines = [
        f"# {LAYER_NAMES[svc.layer]} service generated for benchmarks",
        "kind: service",
        f"name: {svc.name}",
        f"description: {LAYER_NAMES[svc.layer].capitalize()} service number {svc.index} of {n}",
    ]
    if svc.team:
        lines.append(f"owner: {svc.team}")
    tier = 1 if svc.layer == 0 else rng.choice((1, 2, 2, 2, 3))
    lifecycle = rng.choices(("production", "experimental", "deprecated"), (90, 6, 4))[0]
    lines += [f"tier: {tier}", f"lifecycle: {lifecycle}", "labels:"]
    lines += [f"  layer: {LAYER_NAMES[svc.layer]}", f"  language: {rng.choice(LANGUAGES)}"]
    if svc.deps:
        lines.append("dependencies:")
        lines += [line for dep in svc.deps for line in dependency_yaml(dep, names)]
    if svc.deployments:
        lines.append("deployments:")
        lines += [line for dc, where in svc.deployments for line in deployment_yaml(dc, where, rng)]
    lines.append("readiness:")
    lines += readiness_yaml(rng)
    if rng.random() < 0.3:
        lines += ["links:", "  - title: Runbook", f"    url: https://wiki.example.com/{svc.name}"]
    return "\n".join(lines) + "\n"


def dependency_yaml(dep: Dep, names: list[str]) -> list[str]:
    if dep.group:
        out = [f"  - any_of: [{', '.join(names[t] for t in dep.targets)}]"]
        return out + (["    type: soft"] if dep.soft else [])
    target = names[dep.targets[0]]
    if not dep.soft and dep.description is None:
        return [f"  - {target}"]
    out = [f"  - service: {target}", f"    type: {'soft' if dep.soft else 'hard'}"]
    return out + ([f"    description: {dep.description}"] if dep.description else [])


def deployment_yaml(dc: str, where: list[str] | int, rng: random.Random) -> list[str]:
    if isinstance(where, int):
        return [f"  - datacenter: {dc}", f"    instances: {where}"]
    if len(where) <= 3 or rng.random() < 0.5:
        return [f"  - datacenter: {dc}", f"    hosts: [{', '.join(where)}]"]
    return [f"  - datacenter: {dc}", "    hosts:"] + [f"      - {h}" for h in where]


def readiness_yaml(rng: random.Random) -> list[str]:
    out = []
    for item in READINESS:
        roll = rng.random()
        if roll < 0.05:
            continue  # missing from the checklist
        if roll < 0.65:
            value = "true"
        elif roll < 0.8:
            value = "false"
        elif roll < 0.88:
            value = f'"2012-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"'
        elif roll < 0.94 and item in ("runbook", "security_review"):
            value = f"https://wiki.example.com/{item}/{rng.randint(1, 9999)}"
        elif item in ("backups", "restore_tested"):
            value = "n/a"
        else:
            value = "true"
        out.append(f"  {item}: {value}")
    return out


def inventory_files(dcs: list[tuple[str, str, str]], total: int, rng: random.Random):
    """Yield (relative path, text) per inventory file, and fill ``racks[dc]`` with host names."""
    weights = [rng.uniform(0.6, 1.4) for _ in dcs]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    racks: dict[str, list[list[str]]] = {}
    files = []
    for (dc, _, _), share in zip(dcs, shares):
        rack_count = max(1, -(-share // HOSTS_PER_RACK))
        width = max(3, len(str(rack_count - 1)))
        racks[dc] = []
        for first in range(0, rack_count, RACKS_PER_FILE):
            chunk = range(first, min(first + RACKS_PER_FILE, rack_count))
            first_rack, last_rack = f"r{chunk[0]:0{width}d}", f"r{chunk[-1]:0{width}d}"
            lines = [f"# CMDB export: {dc} racks {first_rack}..{last_rack}"]
            for r in chunk:
                size = min(HOSTS_PER_RACK, share - r * HOSTS_PER_RACK)
                rack = f"r{r:0{width}d}"
                names = [f"{dc}-{rack}-{slot:02d}" for slot in range(1, size + 1)]
                racks[dc].append(names)
                model = rng.choice(HOST_MODELS)
                for name in names:
                    lines += [
                        "- kind: host", f"  name: {name}", f"  datacenter: {dc}",
                        f"  rack: {rack}", f"  labels: {{model: {model}}}",
                    ]
            path = f"inventory/{dc}/racks-{first_rack}-{last_rack}.yaml"
            files.append((path, "\n".join(lines) + "\n"))
    return files, racks


def teams_yaml(teams: list[tuple[str, str]]) -> str:
    lines = ["# Squads and their tribes"]
    for team, tribe in teams:
        lines += [
            "- kind: team", f"  name: {team}", f"  tribe: {tribe}", "  contact:",
            f"    slack: '#{team}'", f"    email: {team}@example.com", f"    pager: {team}-oncall",
        ]
    return "\n".join(lines) + "\n"


def datacenters_yaml(dcs: list[tuple[str, str, str]]) -> str:
    lines = ["# Data centers"]
    for name, location, region in dcs:
        lines += ["- kind: datacenter", f"  name: {name}", f"  location: {location}", f"  region: {region}"]
    return "\n".join(lines) + "\n"


def clients_yaml(services: list[Svc], teams: list[tuple[str, str]], rng: random.Random) -> str:
    n = len(services)
    top = list(range(int(n * 0.8), n)) or list(range(n))
    lines = ["# Clients: consumers that run nowhere we operate"]
    for client in CLIENTS:
        lines += ["---", "kind: client", f"name: {client}", f"owner: {rng.choice(teams)[0]}", "dependencies:"]
        targets = rng.sample(top, min(len(top), rng.randint(3, 6)))
        for k, t in enumerate(targets):
            if k == 0 or rng.random() < 0.7:
                lines.append(f"  - {services[t].name}")
            else:
                lines += [f"  - service: {services[t].name}", "    type: soft"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Putting it together


def generate(n: int, out_dir: Path, seed: int = 1, hosts_per_service: int = 10, profile: str = "classic") -> dict:
    """Write the landscape of ``n`` services into ``out_dir``; return its manifest.

    ``hosts_per_service`` applies to the classic profile; the heavy-tailed one places 1-5 hosts
    per deployment."""
    if n < 1:
        raise ValueError("N must be at least 1")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (one of: {', '.join(PROFILES)})")
    rng = random.Random(seed)
    shape = _classic(n, rng, hosts_per_service) if profile == "classic" else _heavy_tailed(n, rng)
    dcs, teams, services = shape.dcs, shape.teams, shape.services
    names = [svc.name for svc in services]

    files = [("teams.yaml", teams_yaml(teams)), ("datacenters.yaml", datacenters_yaml(dcs))]
    files.append(("clients.yaml", clients_yaml(services, teams, rng)))
    files += shape.inventories
    for svc in services:
        folder = svc.team or "unowned"
        files.append((f"services/{folder}/{svc.name}.yaml", service_yaml(svc, names, rng, n)))
    _write(Path(out_dir), files)

    indegree = [0] * n
    for svc in services:
        for dep in svc.deps:
            for t in dep.targets:
                indegree[t] += 1
    hub = max(range(n), key=lambda i: (indegree[i], -i))
    manifest = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "services": n,
        "hosts": shape.hosts,
        "datacenters": len(dcs),
        "teams": len(teams),
        "tribes": len({tribe for _, tribe in teams}),
        "clients": len(CLIENTS),
        "files": len(files),
        "bytes": sum(len(text) for _, text in files),
        "dependencies": sum(len(s.deps) for s in services),
        "hard_cycles": shape.hard_cycles,
        "soft_cycles": shape.soft_cycles,
        "single_host_services": shape.single,
        "hub": {"service": names[hub], "dependents": indegree[hub]},
    }
    if profile != "classic":  # the classic manifest stays as it always was
        manifest["profile"] = profile
    (Path(out_dir) / "landscape.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


@dataclass
class Shape:
    """A drawn landscape before it is written: everything the YAML text and the manifest need."""

    dcs: list[tuple[str, str, str]]
    teams: list[tuple[str, str]]
    services: list[Svc]
    hard_cycles: list[list[str]]
    soft_cycles: list[list[str]]
    inventories: list[tuple[str, str]] = field(default_factory=list)
    single: list[str] = field(default_factory=list)
    hosts: int = 0


def _classic(n: int, rng: random.Random, hosts_per_service: int) -> Shape:
    dcs = list(DATACENTERS[: rng.randint(4, 6)])
    shape = _services(n, rng, dcs, make_teams(n, rng), draw_dependencies)
    shape.inventories, racks = inventory_files(dcs, hosts_per_service * n, rng)
    pools = {dc: HostPool(racks[dc]) for dc, _, _ in dcs}
    shape.single = place_deployments(shape.services, pools, rng)
    shape.hosts = hosts_per_service * n
    return shape


def _heavy_tailed(n: int, rng: random.Random) -> Shape:
    dcs = list(DATACENTERS[:HEAVY_DATACENTERS])
    shape = _services(n, rng, dcs, make_small_teams(n, rng), draw_heavy_tailed_dependencies)
    plan = plan_small_deployments(shape.services, [dc for dc, _, _ in dcs], rng)
    demand = {dc: 0 for dc, _, _ in dcs}
    for deployments in plan.values():
        for dc, count in deployments:
            demand[dc] += count
    shape.inventories, order = dedicated_hosts(demand, rng)
    shape.single = place_small_deployments(shape.services, plan, order)
    shape.hosts = sum(demand.values())
    return shape


def _services(n: int, rng: random.Random, dcs, teams, draw) -> Shape:
    """Names, owners and dependencies (``draw``), with the planted cycles."""
    team_names = [t for t, _ in teams]
    names = service_names(n, rng)
    services = [Svc(i, names[i], layer_of(i, n), _owner(rng, team_names)) for i in range(n)]
    draw(services, rng)
    in_cycles: set[int] = set()
    hard_cycles = plant_cycles(services, rng, 2 + n // 10000, False, in_cycles)
    soft_cycles = plant_cycles(services, rng, 2 + n // 10000, True, in_cycles)
    return Shape(dcs, teams, services, hard_cycles, soft_cycles)


def _owner(rng: random.Random, teams: list[str]) -> str | None:
    roll = rng.random()
    if roll < 0.02:
        return None  # unowned
    if roll < 0.03:
        return "ghost-squad"  # names no declared team
    return rng.choice(teams)


def _write(out_dir: Path, files: list[tuple[str, str]]) -> None:
    made: set[Path] = set()
    for rel, text in files:
        path = out_dir / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of services")
    parser.add_argument("out_dir", type=Path, help="folder to write the descriptor tree into")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hosts-per-service", type=int, default=10, help="classic profile only")
    parser.add_argument("--profile", choices=PROFILES, default="classic",
                        help="classic (the default) or heavy-tailed (hub services, 40%% soft, 1-5 hosts per deployment)")
    args = parser.parse_args(argv)
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} is not empty")
    manifest = generate(args.n, args.out_dir, args.seed, args.hosts_per_service, args.profile)
    summary = {k: v for k, v in manifest.items() if not isinstance(v, list)}
    print(json.dumps(summary, sort_keys=True), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
