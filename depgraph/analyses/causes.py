"""Why a component's failure takes a service down: the placement or the hard path behind it.

A service falls with a failed component in one of two ways (SPEC §2): every instance of it
stands on the component (a host, or hosts in a rack or data center), or it follows a hard
dependency entry whose alternatives have all fallen. :func:`falls_with` explains one service's
fall as a :class:`~depgraph.analyses.findings.Cause`: the placement, or the shortest hard path
from the service to what failed first, then that service's placement. It walks only the down
set of the failure, so explaining one SPOF costs no more than listing what it takes down.

>>> from depgraph.model import Catalog, Service, Dependency, Deployment, Host
>>> from depgraph.failure.engine import FailureModel
>>> catalog = Catalog(
...     hosts={"h1": Host("h1", "lon1", rack="a"), "h2": Host("h2", "lon1", rack="a")},
...     services={
...         "db": Service("db", deployments=(Deployment("lon1", hosts=("h1", "h2")),)),
...         "api": Service("api", dependencies=(Dependency(("db",)),)),
...     },
... )
>>> model = FailureModel.from_catalog(catalog)
>>> falls_with(model, "rack:lon1/a", ("service:db",), {"service:api", "service:db"}, "service:api").text
'service:api has a hard dependency on service:db; all 2 instances of service:db are on hosts in rack lon1/a'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Container, Iterable, Set

from depgraph.analyses.findings import Cause
from depgraph.failure.closure import Members
from depgraph.failure.engine import FailureModel

Cycles = Callable[[int], tuple[int, int]]
_PLACES = {"host": "on host {}", "rack": "on hosts in rack {}", "datacenter": "in data center {}"}


#: services the search for a cause's hard path visits at most. In any real landscape the path
#: from a casualty to what failed is a few steps; in a hard chain or ring of thousands of
#: services it is thousands, for each of thousands of SPOFs.
PATH_BUDGET = 200


def falls_with(model: FailureModel, component: str, first: Collection[str], down: Container[str],
               node_id: str, every_placement: bool = True, cycle: Cycles | None = None) -> Cause:
    """Why ``node_id`` (in ``down``) goes down when ``component`` fails alone; ``first``: the
    services that fall first (those with every instance on ``component``, or ``component``
    itself when it is a service). The facts list the placement of every service in ``first``,
    or with ``every_placement`` False only of the one that explains ``node_id``'s fall (a data
    center holds thousands, and one component can explain hundreds of findings). ``cycle``:
    node number -> ``(number, size)`` of its hard cycle (each member needing another alone,
    :meth:`~depgraph.failure.closure.Closure.cycle`), to explain a fall inside a cycle too big
    for a path search in a sentence instead. ``first`` may be a set, built once by a caller that
    explains many casualties of a failure that takes thousands down first (a data center's),
    when ``every_placement`` is False and no ``cycle`` is given (both read it in order)."""
    targets = (component,) if component.startswith("service:") else first
    if cycle is not None and (inside := _same_cycle(model, node_id, targets, cycle)) is not None:
        size, via = inside
        text = (f"{node_id} and {via} are in one hard cycle of {size:,} services, each needing another "
                f"of them alone, so all of them fall together")
        if via == component:
            return Cause("dependency", text, {"component": component, "cycle": size, "falls_with": via})
        return Cause("placement", f"{text}; {placement_text(model, component, via)}",
                     {"component": component, "cycle": size, "falls_with": via,
                      "placed": placement_facts(model, component, first if every_placement else (via,))})
    if component.startswith("service:"):
        path = hard_path(model, node_id, {component}, down)
        if path is None:
            return Cause("dependency", _untraced(node_id, component), {"component": component, "path": None})
        return Cause("dependency", _needs(path), {"component": component, "path": path})
    wholly_on = first if isinstance(first, Set) else set(first)
    if node_id in wholly_on:
        placed = first if every_placement else (node_id,)
        return Cause("placement", placement_text(model, component, node_id),
                     {"component": component, "placed": placement_facts(model, component, placed)})
    path = hard_path(model, node_id, wholly_on, down)
    if path is None:
        kind, _, name = component.partition(":")
        what = f"a service with every instance {_PLACES[kind].format(name)}"
        return Cause("placement", _untraced(node_id, what),
                     {"component": component, "path": None,
                      "placed": placement_facts(model, component, first if every_placement else ())})
    text = f"{_needs(path)}; {placement_text(model, component, path[-1])}"
    placed = first if every_placement else (path[-1],)
    return Cause("placement", text, {"component": component, "path": path,
                                     "placed": placement_facts(model, component, placed)})


def _same_cycle(model: FailureModel, node_id: str, targets: Collection[str], cycle: Cycles
                ) -> tuple[int, str] | None:
    """``(size, target)`` when ``node_id`` shares with one of ``targets`` a hard cycle bigger
    than :data:`PATH_BUDGET` (a smaller one is searched, and its path named)."""
    number = model.nodes.number
    group, size = cycle(number[node_id])
    if size <= PATH_BUDGET:
        return None
    via = next((t for t in targets if t != node_id and cycle(number[t])[0] == group), None)
    return (size, via) if via is not None else None


def _untraced(node_id: str, what: str) -> str:
    return (f"{node_id} needs {what} through hard dependencies (a path not traced here: the search "
            f"stops after {PATH_BUDGET:,} services)")


def spof_cause(model: FailureModel, component: str, first: tuple[str, ...], down: Container[str],
               most_urgent: str, cycle: Cycles | None = None) -> Cause:
    """A SPOF's cause: why its most urgent casualty falls, and how many more services (than
    the one it names) stand wholly on it."""
    cause = falls_with(model, component, first, down, most_urgent, cycle=cycle)
    facts = cause.facts
    path = facts.get("path", [most_urgent])  # no path: the casualty itself stands there
    named = facts.get("falls_with") or (path[-1] if path else None)
    others = len(first) - (named in first) if cause.kind == "placement" else 0
    if others:
        more = "1 more service has" if others == 1 else f"{others} more services have"
        cause = Cause(cause.kind, f"{cause.text}; {more} every instance there too", cause.facts)
    return cause


def hard_path(model: FailureModel, start: str, targets: Container[str], down: Container[str],
              budget: int = PATH_BUDGET) -> list[str] | None:
    """The shortest path of hard entries from ``start`` to one of ``targets``, each entry with
    every alternative in ``down`` (the failure's down set) or ``targets``; ``[start]`` when
    there is none, None when ``budget`` services were reached first."""
    number, ids, entries = model.nodes.number, model.nodes.ids, model.entries
    bits = down.mask if isinstance(down, Members) else None  # a SPOF's down set: read its bits

    def fallen(node: int) -> bool:
        return bool(bits >> node & 1 if bits is not None else ids[node] in down) or ids[node] in targets

    origin = number[start]
    came_from = {origin: -1}  # node numbers: the search is the inner loop of explaining every SPOF
    queue = deque([origin])
    found = origin if start in targets else -1
    while queue and found < 0:
        node = queue.popleft()
        for alternatives, hard in entries[node]:
            if hard and all(map(fallen, alternatives)):
                for alternative in alternatives:
                    if alternative not in came_from:
                        came_from[alternative] = node
                        queue.append(alternative)
                        if found < 0 and ids[alternative] in targets:
                            found = alternative  # stop when found, not a whole level later:
                            # in a dense hard cycle each search is then a few nodes, not all
        if found < 0 and len(came_from) > budget:
            return None
    if found < 0:
        return [start]
    path, step = [], found
    while step >= 0:
        path.append(ids[step])
        step = came_from[step]
    return path[::-1]


def placement_text(model: FailureModel, component: str, service_id: str) -> str:
    """``all 4 instances of service:payments are on hosts in rack lon1/b``."""
    kind, _, name = component.partition(":")
    total = model.total[model.nodes.number[service_id]]
    where = _PLACES[kind].format(name)
    if total == 1:
        hosts = model.instance_hosts[model.nodes.number[service_id]]
        if kind == "rack" and hosts:
            where = f"on host {model.hosts.ids[hosts[0]][5:]} in rack {name}"
        return f"the only instance of {service_id} is {where}"
    return f"all {total} instances of {service_id} are {where}"


def placement_facts(model: FailureModel, component: str, first: Iterable[str]) -> list[dict]:
    """Each service standing wholly on ``component``: its instances and the hosts they use."""
    facts = []
    for service_id in first:
        node = model.nodes.number[service_id]
        hosts = sorted({model.hosts.ids[host] for host in model.instance_hosts[node]})
        facts.append({"service": service_id, "instances": model.total[node], "hosts": hosts})
    return facts


def _needs(path: list[str]) -> str:
    if len(path) == 2:
        return f"{path[0]} has a hard dependency on {path[1]}"
    return f"{path[0]} needs {path[-1]} through hard dependencies: {' -> '.join(path)}"
