#!/usr/bin/env python3
"""Writes the side-by-side reading page: one static HTML file holding
every variant's main.cpp, where the reader picks two variants and sees
their main loops (or whole files) in two columns with the differing lines
marked, next to plots of the two from the benchmark report, if one is
found. The page needs no server and no network: it opens from disk.

  python3 tools/sidebyside/sidebyside.py --root . \
      --registry build/variants.json --out build/docs/sidebyside.html

The variants, in reading order, and their traits come from the build's
registry (variants.json, written by CMake from the echolab_add_variant
calls); names given on the command line pick a subset.

Python 3 standard library only.
"""
import argparse
import html
import json
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = re.compile(r"^(void|int) serve\(")
SUFFIX = re.compile(
    r"/(iterations:\d+|manual_time|real_time|min_time:[0-9.]+|repeats:\d+)$")
# Where a benchmark report may be, most authoritative first: the committed
# reference run, then the newest local run.
RESULT_CANDIDATES = ["docs/results/bench.json", "results/latest/bench.json"]


def loop_range(lines):
    """(first, last) 0-based line indexes of serve(), with the comment
    block above it; the whole file if there is no serve()."""
    start = next((i for i, l in enumerate(lines) if SERVE.match(l)), None)
    if start is None:
        return 0, len(lines) - 1
    depth, opened, end = 0, False, len(lines) - 1
    for i in range(start, len(lines)):
        depth += lines[i].count("{") - lines[i].count("}")
        opened = opened or "{" in lines[i]
        if opened and depth == 0:
            end = i
            break
    while start > 0 and lines[start - 1].lstrip().startswith("//"):
        start -= 1
    return start, end


def header_summary(lines):
    """The variant's model in one sentence: the header comment's first
    paragraph, without the leading "name:"."""
    words = []
    for line in lines:
        text = line.lstrip("/ ").strip() if line.startswith("//") else ""
        if not text:
            break
        words.append(text)
    return " ".join(words).split(":", 1)[-1].strip()


def read_lines(root, name, file_name):
    with open(os.path.join(root, name, file_name), encoding="utf-8") as file:
        return file.read().rstrip("\n").split("\n")


def read_variant(root, name, traits=None):
    """The variant's main.cpp, or, when its serve() lives in a helper of
    its folder (epoll_loop/loop.cpp, shared with epoll_reactors), that
    file; the summary always comes from main.cpp's header."""
    main = read_lines(root, name, "main.cpp")
    shown, lines = "main.cpp", main
    if not any(SERVE.match(line) for line in main):
        for other in sorted(os.listdir(os.path.join(root, name))):
            if other.endswith(".cpp") and other != "main.cpp":
                candidate = read_lines(root, name, other)
                if any(SERVE.match(line) for line in candidate):
                    shown, lines = other, candidate
                    break
    first, last = loop_range(lines)
    return {"path": f"{name}/{shown}", "lines": lines,
            "loop": [first, last], "summary": header_summary(main),
            "traits": {k: v for k, v in (traits or {}).items()
                       if k not in ("name", "binary")}}


def read_registry(path):
    """[variant] from variants.json, in registration order."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError) as e:
        sys.exit(f"error: variant registry {path}: {e}")


def base_name(name):
    while True:
        stripped = SUFFIX.sub("", name)
        if stripped == name:
            return name
        name = stripped


def load_results(root, explicit):
    """{'source': path, 'echo': {v: {bytes: {conns: msgs/s}}},
    'accept': {v: {conns: conns/s}}} from Google Benchmark JSON, each
    figure the median of the rounds that did not fail; None if absent."""
    paths = [explicit] if explicit else [
        os.path.join(root, p) for p in RESULT_CANDIDATES]
    path = next((p for p in paths if p and os.path.isfile(p)), None)
    if path is None:
        return None
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    rounds = {}
    for run in data.get("benchmarks", []):
        if run.get("run_type") == "aggregate" or run.get("error_occurred"):
            continue
        parts = base_name(run.get("name", "")).split("/")
        if len(parts) < 3 or parts[0] not in ("echo", "accept"):
            continue
        params = dict(p.split(":", 1) for p in parts[2:] if ":" in p)
        key = "msgs_per_s" if parts[0] == "echo" else "conns_per_s"
        if key not in run or "conns" not in params:
            continue
        where = (parts[0], parts[1], params.get("bytes", ""),
                 int(params["conns"]))
        rounds.setdefault(where, []).append(float(run[key]))
    out = {"source": os.path.relpath(path, root), "echo": {}, "accept": {}}
    for (scenario, variant, size, conns), values in rounds.items():
        figure = statistics.median(values)
        if scenario == "echo":
            out["echo"].setdefault(variant, {}).setdefault(size, {})[
                conns] = figure
        else:
            out["accept"].setdefault(variant, {})[conns] = figure
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="*",
                        help="variant names (default: every registered one)")
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--registry", required=True,
                        help="the build's variants.json")
    parser.add_argument("--out", required=True, help="the HTML file")
    parser.add_argument("--results", help="a bench.json to plot "
                        "(default: docs/results/, then results/latest/)")
    args = parser.parse_args()

    known = {v["name"]: v for v in read_registry(args.registry)}
    unknown = [v for v in args.variants if v not in known]
    if unknown:
        sys.exit(f"error: not a registered variant: {', '.join(unknown)}")
    order = args.variants or list(known)
    variants = {name: read_variant(args.root, name, known[name])
                for name in order}
    results = load_results(args.root, args.results)
    with open(os.path.join(HERE, "template.html"), encoding="utf-8") as file:
        template = file.read()
    data = json.dumps({"order": order, "variants": variants,
                       "results": results}, separators=(",", ":"))
    # "</" would end the <script> element early; JSON allows "<\/".
    data = data.replace("</", "<\\/")
    page = template.replace("/*DATA*/null", data).replace(
        "{{TITLE}}", html.escape("echolab: two variants side by side"))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as file:
        file.write(page)
    print(f"wrote {args.out} ({len(variants)} variants, "
          f"plots: {results['source'] if results else 'none found'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
