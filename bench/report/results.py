"""Reads the Google Benchmark JSON of echo_bench into points.

A point is one benchmark (one variant at one load, a micro-benchmark or a
floor) with every round it ran; medians and spreads are computed here from
the rounds, the same way the harness's median aggregates are, so that a
point whose rounds partly failed still shows what did run.
"""

import json
import os
import re
from dataclasses import dataclass, field

# Suffixes Google Benchmark appends to a registered name.
_SUFFIX = re.compile(
    r"/(iterations:\d+|manual_time|real_time|min_time:[0-9.]+|repeats:\d+)$")

_TO_MICROS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

# Scenarios whose second name part is a variant (or a --server name).
VARIANT_SCENARIOS = ("echo", "accept", "cost", "scaling")

# A model that spreads clients over threads or processes, and so could use
# more than one core: traits of the variant registry.
MULTI_CORE_MODELS = ("event_loop", "worker_pool")
MULTI_CORE_UNITS = ("thread", "process")


def base_name(name):
    """'echo/x/conns:1/bytes:64/iterations:1/manual_time' -> 'echo/x/...'"""
    while True:
        stripped = _SUFFIX.sub("", name)
        if stripped == name:
            return name
        name = stripped


def parse_name(name):
    """Splits a base name into (scenario, variant, kind, params).

    echo, accept and cost name a variant second; micro and floor name
    what they measure. Parameters are the 'key:number' parts.
    """
    parts = name.split("/")
    scenario = parts[0]
    params = {}
    words = []
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if sep and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
        else:
            words.append(part)
    variant = words[0] if scenario in VARIANT_SCENARIOS else None
    kind = "/".join(words) if variant is None else None
    return scenario, variant, kind, params


def median(values):
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


@dataclass
class Point:
    name: str
    scenario: str
    variant: str
    kind: str
    params: dict
    runs: list = field(default_factory=list)

    @property
    def ok_runs(self):
        return [r for r in self.runs if not r.get("error_occurred")]

    @property
    def errors(self):
        return [r.get("error_message", "") for r in self.runs
                if r.get("error_occurred")]

    @property
    def label(self):
        return next((r["label"] for r in self.runs if r.get("label")), "")

    def values(self, key):
        """The per-round values of a counter, or of 'real_us'/'cpu_us'."""
        out = []
        for run in self.ok_runs:
            if key in ("real_us", "cpu_us"):
                scale = _TO_MICROS[run.get("time_unit", "ns")]
                raw = run["real_time" if key == "real_us" else "cpu_time"]
                out.append(raw * scale)
            elif key in run:
                out.append(float(run[key]))
        return out

    def median(self, key):
        return median(self.values(key))

    def spread(self, key):
        """(max - min) / median over the rounds, or None."""
        values = self.values(key)
        mid = median(values)
        if not values or not mid:
            return None
        return (max(values) - min(values)) / abs(mid)


@dataclass
class Results:
    context: dict
    points: dict  # base name -> Point, in the order first seen
    # Traits from the build's variants.json, for a run that did not
    # record its own.
    registry: dict = field(default_factory=dict)

    def traits(self):
        """{variant: {model, unit, waits_in, pool_flag, conn_limit, needs}}
        as echo_bench recorded them from the registry (context
        "echolab_variants", a JSON array like build/variants.json); else
        the build's variants.json; {} for an old run with neither."""
        try:
            listed = json.loads(self.context.get("echolab_variants", "[]"))
        except ValueError:
            listed = []
        recorded = {v["name"]: v for v in listed if "name" in v}
        return recorded or self.registry

    @property
    def external(self):
        """--server NAME=COMMAND servers: {name: command}."""
        prefix = "echolab_external_"
        return {k[len(prefix):]: v for k, v in self.context.items()
                if k.startswith(prefix)}

    def label(self, variant):
        """A variant as the tables show it; outside servers marked."""
        mark = " *(external)*" if variant in self.external else ""
        return f"`{variant}`{mark}"

    def multi_core(self):
        """The measured variants whose model could use several cores."""
        traits = self.traits()
        return [v for v in self.variants()
                if traits.get(v, {}).get("model") in MULTI_CORE_MODELS
                and traits.get(v, {}).get("unit") in MULTI_CORE_UNITS]

    def cpu_sets(self, key):
        """'0 | 0,1' -> [[0], [0, 1]]: the CPU sets of the run."""
        text = self.context.get(key, "")
        if not text:  # a run from before the sets: "servers on CPU 0, ..."
            which = "servers" if "server" in key else "load generator"
            found = re.search(which + r" on CPUs? ([0-9,-]+)",
                              self.context.get("echolab_pinning", ""))
            text = found.group(1).rstrip(",") if found else ""
        return [_cpu_list(part.strip()) for part in text.split("|")
                if part.strip()]

    def find(self, scenario, variant=None, kind=None, **params):
        for point in self.points.values():
            if (point.scenario == scenario and point.variant == variant
                    and point.kind == kind
                    and all(point.params.get(k) == v
                            for k, v in params.items())):
                return point
        return None

    def of(self, scenario):
        return [p for p in self.points.values() if p.scenario == scenario]

    def variants(self):
        seen = []
        for point in self.points.values():
            if point.variant and point.variant not in seen:
                seen.append(point.variant)
        return seen

    def param_values(self, scenario, key, **where):
        found = set()
        for point in self.of(scenario):
            if all(point.params.get(k) == v for k, v in where.items()):
                if key in point.params:
                    found.add(point.params[key])
        return sorted(found)


def _cpu_list(text):
    """'0-2,5' -> [0, 1, 2, 5]."""
    cpus = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        cpus += range(int(first), int(last or first) + 1)
    return cpus


def load_registry(path):
    """{name: traits} from the build's variants.json (a JSON array of
    {"name", "model", "unit", ...}); {} when there is none."""
    if not path or not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return {v["name"]: v for v in json.load(handle) if "name" in v}


def load(path, registry_path=None):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    points = {}
    for run in data.get("benchmarks", []):
        if run.get("run_type") == "aggregate":
            continue  # recomputed from the rounds
        name = base_name(run["name"])
        if name not in points:
            scenario, variant, kind, params = parse_name(name)
            points[name] = Point(name, scenario, variant, kind, params)
        points[name].runs.append(run)
    return Results(data.get("context", {}), points,
                   load_registry(registry_path))
