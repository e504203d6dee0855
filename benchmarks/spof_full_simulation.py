"""The complete SPOF analysis against a full simulation per component, on a sample.

A "full simulation" evaluates the whole landscape for one failure, as a straightforward
implementation of SPEC §2 would: every host's state, every service's instances, "down" to a
fixpoint, "degraded" by walking every dependent. It is linear in the landscape, so one per
component is quadratic; at 20,000 services and 200,000 hosts running it for all 225,000
components would take hours. This script times it on a random sample of components, checks each
sampled result is identical to depgraph's (``single_points_of_failure`` and ``simulate``), and
extrapolates the total.

    python benchmarks/spof_full_simulation.py DIR [--sample 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from depgraph.analyses.spof import single_points_of_failure  # noqa: E402
from depgraph.failure.engine import FailureModel, simulate  # noqa: E402
from depgraph.load.loader import load_catalog  # noqa: E402
from depgraph.model import Catalog  # noqa: E402


def full_simulation(catalog: Catalog, component: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(down, degraded) for F = {component}, evaluating everything (SPEC §2, no shortcuts)."""
    failed = {component}
    host_down = {name: (host.id in failed or host.rack_id in failed
                        or f"datacenter:{host.datacenter}" in failed)
                 for name, host in catalog.hosts.items()}
    down: set[str] = set()
    for service in catalog.services.values():
        states = []
        for deployment in service.deployments:
            states += [host_down[h] for h in deployment.hosts]
            states += [f"datacenter:{deployment.datacenter}" in failed] * deployment.instances
        if service.id in failed or (states and all(states)):
            down.add(service.id)
    everyone = [*catalog.services.values(), *catalog.clients.values()]
    dependents: dict[str, list] = {}
    for entity in everyone:
        for dep in entity.dependencies:
            for target in dep.targets:
                dependents.setdefault(f"service:{target}", []).append(entity)
    todo = list(down)
    while todo:
        for entity in dependents.get(todo.pop(), ()):
            if entity.id in down:
                continue
            if any(d.hard and all(f"service:{t}" in down for t in d.targets) for d in entity.dependencies):
                down.add(entity.id)
                todo.append(entity.id)
    seen, todo = set(down), list(down)
    while todo:
        for entity in dependents.get(todo.pop(), ()):
            if entity.id not in seen:
                seen.add(entity.id)
                todo.append(entity.id)
    return tuple(sorted(down - failed)), tuple(sorted(seen - down))


def agrees(catalog: Catalog, model: FailureModel, spofs: dict, component: str) -> bool:
    """Whether the full simulation of ``component`` failing gives depgraph's answer: the SPOF's
    down list and degraded count (and ``simulate``'s degraded list), or (not a SPOF) nothing down
    and ``simulate``'s degraded list."""
    down, degraded = full_simulation(catalog, component)
    expected = spofs.get(component)
    simulated = simulate(model, [component]).degraded
    if expected is not None:
        return (down, len(degraded), degraded) == (expected.down, expected.degraded_count, simulated)
    return not down and degraded == simulated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("descriptors", type=Path)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    catalog = load_catalog(args.descriptors)
    model = FailureModel.from_catalog(catalog)
    start = time.process_time()
    spofs = {s.component: s for s in single_points_of_failure(catalog, model)}
    fast = time.process_time() - start

    components = model.component_ids()
    sample = random.Random(args.seed).sample(components, min(args.sample, len(components)))
    start = time.process_time()
    for component in sample:
        assert agrees(catalog, model, spofs, component), component
    per_component = (time.process_time() - start) / len(sample)
    total = per_component * len(components)
    print(f"{len(catalog.services):,} services, {len(components):,} components that can fail")
    print(f"complete SPOF analysis (depgraph):        {fast:8.2f} s CPU")
    print(f"full simulation, per component (sampled): {per_component:8.3f} s CPU "
          f"({len(sample)} components, results identical)")
    print(f"full simulation for every component:     ~{total:8.0f} s CPU (~{total / 3600:.1f} h, extrapolated)")
    print(f"ratio: ~{total / fast:,.0f}x")


if __name__ == "__main__":
    main()
