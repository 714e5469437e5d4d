#!/usr/bin/env python3
"""make_report.py RESULTS_DIR: turns echo_bench's Google Benchmark JSON
(RESULTS_DIR/bench.json) into results.csv, report.md and plots/ (PNG and
SVG by gnuplot). Python standard library only."""

import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import plots  # noqa: E402
import results  # noqa: E402
import sections  # noqa: E402
import sections_cpus  # noqa: E402
import sections_other  # noqa: E402


DEFAULT_REGISTRY = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "build", "variants.json")


def write_csv(res, path):
    counters = sorted({k for p in res.points.values() for r in p.runs
                       for k, v in r.items() if isinstance(v, (int, float))
                       and k not in ("family_index", "iterations",
                                     "per_family_instance_index", "threads",
                                     "repetitions", "repetition_index")})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "scenario", "variant", "kind", "round",
                      "error", "time_unit"] + counters)
        for p in res.points.values():
            for r in p.runs:
                out.writerow([p.name, p.scenario, p.variant or "",
                              p.kind or "", r.get("repetition_index", ""),
                              r.get("error_message", ""),
                              r.get("time_unit", "")]
                             + [r.get(k, "") for k in counters])


def machine(res, command):
    c = res.context
    problems = c.get("echolab_problems", "")
    lines = ["# echolab: every concurrency model on this machine", ""]
    warning = sections_cpus.load_warning(res)
    if warning:
        lines += [warning, ""]
    lines += ["| | |", "|---|---|",
             f"| date | {c.get('date', '?')} |",
             f"| CPU | {c.get('echolab_cpu_model', '?')}, "
             f"{c.get('num_cpus', '?')} CPUs online |",
             f"| kernel | {c.get('echolab_kernel', '?')} |",
             f"| compiler | {c.get('echolab_compiler', '?')} |",
             f"| pinning | {c.get('echolab_pinning', '?')} |",
             *sections_cpus.cpu_rows(res),
             f"| rounds | {c.get('echolab_rounds', '?')} per point, "
             "variants interleaved round-robin in each round |",
             f"| window | {c.get('echolab_window', '?')} per run |",
             f"| load average at start | "
             f"{', '.join(f'{x:.2f}' for x in c.get('load_avg', []))} |",
             "", "Command:", "", "```sh", command or
             c.get("echolab_command", "?"), "```", ""]
    if problems:
        lines += ["> **Warning: the run was not as it should be.** "
                  + problems, ""]
    if res.external:
        lines += ["Servers marked *(external)* are not echolab variants: "
                  "they were given with `--server NAME=COMMAND` and "
                  "measured the same way (same CPUs, every byte checked):",
                  ""] + [f"- `{name}`: `{cmd}`" for name, cmd in
                         res.external.items()] + [""]
    note = sections_cpus.one_core_note(res)
    if note:
        lines += [note, ""]
    lines += ["Cells show the median of the rounds, ±half the range of the "
              "rounds as a percentage, and (×r) the ratio to the best "
              "variant in that column. *cannot serve*: the model cannot "
              "serve that many clients at once; *failed\\**: see the "
              "failures at the end.", ""]
    return "\n".join(lines)


def failures(res):
    rows = []
    for p in res.points.values():
        for message in sorted(set(p.errors)):
            if not message.startswith("model cannot serve"):
                rows.append(f"- `{p.name}`: {message}")
    if not rows:
        return "## Failures\n\nNone: every point that a model can serve " \
               "ran in every round."
    return "## Failures\n\n" + "\n".join(rows)


def make_plots(res, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    sizes = sorted({p.params.get("bytes") for p in res.of("echo")})
    made = []
    for size in sizes:
        made.append((f"Throughput, {size} B", plots.render(
            plots.throughput(res, size), out_dir, f"throughput_{size}")))
        made.append((f"Server CPU per message, {size} B", plots.render(
            plots.server_cpu(res, size), out_dir, f"server_cpu_{size}")))
    if sizes:
        conns = res.param_values("echo", "conns", bytes=sizes[0])
        pick = max((n for n in conns if n <= 100), default=None)
        if pick:
            made.append(("Latency percentiles", plots.render(
                plots.latency_percentiles(res, sizes[0], pick), out_dir,
                "latency_percentiles")))
    made.append(("Throughput against server CPUs", plots.render(
        plots.scaling(res), out_dir, "scaling")))
    made.append(("Accept latency", plots.render(
        plots.accept_latency(res), out_dir, "accept_latency")))
    made.append(("Memory per connection", plots.render(
        plots.memory(res), out_dir, "memory_per_conn")))
    made.append(("select, poll and epoll", plots.render(
        plots.readiness(res), out_dir, "readiness_calls")))
    return [(title, png) for title, png in made if png]


def build(res, command, plot_dir_name, plot_list):
    parts = [machine(res, command)]
    if res.traits():
        parts.append(sections_other.variants(res))
    parts += ["## Plots", ""]
    parts += [f"![{t}]({plot_dir_name}/{png})" for t, png in plot_list]
    parts += ["", "## Closed-loop echo"]
    sizes = sorted({p.params.get("bytes") for p in res.of("echo")})
    for size in sizes:
        parts += [sections.throughput(res, size),
                  sections.server_cpu(res, size),
                  sections_other.fraction_of_floor(res, size),
                  sections.latency(res, size)]
    scaling = sections_cpus.scaling(res)
    if scaling:
        parts.append(scaling)
    parts.append("## Accept latency and cost per connection")
    if res.of("accept"):
        parts.append(sections_other.accept(res))
    if res.of("cost"):
        parts.append(sections_other.cost(res))
    parts.append("## Why: the floor and the primitives")
    if res.of("floor"):
        parts.append(sections_other.floor(res))
    if res.of("micro"):
        parts.append(sections_other.micro(res))
    parts.append(failures(res))
    return "\n\n".join(parts) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results_dir")
    parser.add_argument("--json", help="default: RESULTS_DIR/bench.json")
    parser.add_argument("--command", default="",
                        help="the command line to quote in the report")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--registry", default=DEFAULT_REGISTRY,
                        help="the build's variants.json, for the variants' "
                        "traits when the run did not record them "
                        "(default: %(default)s)")
    args = parser.parse_args(argv)
    res = results.load(args.json or os.path.join(args.results_dir,
                                                  "bench.json"),
                       args.registry)
    write_csv(res, os.path.join(args.results_dir, "results.csv"))
    plot_list = [] if args.no_plots else make_plots(
        res, os.path.join(args.results_dir, "plots"))
    report = os.path.join(args.results_dir, "report.md")
    with open(report, "w", encoding="utf-8") as handle:
        handle.write(build(res, args.command, "plots", plot_list))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
