"""gnuplot plots for report.md: each plot is one script with its data in
datablocks, rendered twice, PNG for the report and SVG for the docs."""

import os
import shutil
import subprocess

PERCENTILES = [("p50", "rtt_p50_us"), ("p90", "rtt_p90_us"),
               ("p99", "rtt_p99_us"), ("p99.9", "rtt_p999_us"),
               ("max", "rtt_max_us")]


def _block(name, rows):
    lines = [f"${name} << EOD"]
    lines += [" ".join(str(x) for x in row) for row in rows]
    lines.append("EOD")
    return "\n".join(lines)


# Readable ticks: 20k, 1M, 0.5 instead of 20000, 1e+06, 5e-01.
_TICKS = "'%.0s%c'"
# Log time axes in units a person reads: 100 µs, 1 ms, 1 s.
_US_TICS = ("set ytics (" + ", ".join(
    f"'{label}' {value}" for label, value in [
        ("10 ns", 0.01), ("100 ns", 0.1), ("1 µs", 1), ("10 µs", 10),
        ("100 µs", 100), ("1 ms", 1e3), ("10 ms", 1e4), ("100 ms", 1e5),
        ("1 s", 1e6), ("10 s", 1e7)]) + ")")
# A legend under the plot, in columns, instead of a third of its width.
_KEY = "set key outside below center horizontal maxrows 3 samplen 2"


def _y_tics(us_axis, logy):
    if logy and us_axis:
        return _US_TICS
    return "set format y '%g'" if logy else f"set format y {_TICKS}"


def _spread(point, key):
    """(median, lowest, highest) of a counter over the rounds."""
    values = point.values(key)
    return point.median(key), min(values), max(values)


def _lines_plot(title, xlabel, ylabel, series, logx=True, logy=False,
                marks=(), us_axis=False):
    """series: [(legend, [(x, y) or (x, y, low, high), ...]), ...], drawn
    with error bars where a low and a high are given; marks: [(legend,
    [x, ...])] drawn as crosses on the x axis, for points with no figure;
    us_axis: y is in µs, ticked in time units. Returns the gnuplot script body."""
    body = []
    plots = []
    for i, (legend, rows) in enumerate(series):
        if rows:
            body.append(_block(f"s{i}", rows))
            # lt i + 1: a variant keeps its colour in every plot.
            style = ("using 1:2:3:4 with yerrorlines" if len(rows[0]) == 4
                     else "using 1:2 with linespoints")
            plots.append(f"$s{i} {style} lw 2 lt {i + 1} title '{legend}'")
    if not plots:
        return None
    for k, (legend, xs) in enumerate(marks):
        if xs:
            body.append(_block(f"m{k}", [(x, 0) for x in xs]))
            plots.append(f"$m{k} using 1:(0) with points pt 2 ps 2.5 lw 3 "
                         f"lc rgb '#555555' title '{legend}'")
    body += ["set linetype 5 lc rgb '#c00000'",  # default yellow is faint
             f"set title '{title}'", f"set xlabel '{xlabel}'",
             f"set ylabel '{ylabel}'", "set grid", _KEY,
             f"set format x {_TICKS}" if logx else "",
             _y_tics(us_axis, logy),
             "set logscale x" if logx else "", "set logscale y" if logy
             else "set yrange [0:*]", "set offsets graph 0.03, graph 0.03",
             "plot " + ", \\\n  ".join(plots)]
    return "\n".join(line for line in body if line)


def _cannot_serve(res, scenario, variant, **params):
    """The x of the points where variant's model cannot serve."""
    return sorted(p.params["conns"] for p in res.of(scenario)
                  if p.variant == variant and not p.ok_runs
                  and all(p.params.get(k) == v for k, v in params.items())
                  and any(e.startswith("model cannot serve")
                          for e in p.errors))


def throughput(res, size):
    series = []
    marks = []
    for v in res.variants():
        rows = [(p.params["conns"], *_spread(p, "msgs_per_s"))
                for p in res.of("echo") if p.variant == v
                and p.params.get("bytes") == size and p.values("msgs_per_s")]
        series.append((v, sorted(rows)))
        marks.append((f"{v}: cannot serve",
                       _cannot_serve(res, "echo", v, bytes=size)))
    floor = res.find("floor", kind="epoll_echo", conns=100, bytes=size)
    if floor and floor.ok_runs:
        series.append(("floor: minimal epoll echo",
                       [(100, *_spread(floor, "msgs_per_s"))]))
    return _lines_plot(f"Echo throughput, {size}-byte messages "
                       "(median of the rounds, bars: lowest to highest)",
                       "connections", "messages/s", series, marks=marks)


def scaling(res):
    """msgs/s against the number of server CPUs; None with one count."""
    counts = res.param_values("scaling", "server_cpus")
    if len(counts) < 2:
        return None
    series = []
    for v in res.variants():
        rows = [(p.params["server_cpus"], *_spread(p, "msgs_per_s"))
                for p in res.of("scaling")
                if p.variant == v and p.values("msgs_per_s")]
        series.append((v, sorted(rows)))
    point = res.of("scaling")[0]
    script = _lines_plot(
        f"Throughput against server CPUs, {point.params['conns']} "
        f"connections, {point.params['bytes']} B", "server CPUs",
        "messages/s", series, logx=False)
    if script:
        script = "set xtics 1\n" + script
    return script


def server_cpu(res, size):
    series = []
    for v in res.variants():
        rows = [(p.params["conns"], *_spread(p, "server_cpu_us_per_msg"))
                for p in res.of("echo") if p.variant == v
                and p.params.get("bytes") == size
                and p.values("server_cpu_us_per_msg")]
        series.append((v, sorted(rows)))
    return _lines_plot(f"Server CPU per message, {size} B", "connections",
                       "server CPU time per message (log)", series, logy=True,
                       us_axis=True)


def latency_percentiles(res, size, conns):
    series = []
    for v in res.variants():
        p = res.find("echo", v, conns=conns, bytes=size)
        ok = p is not None and bool(p.values("rtt_p50_us"))
        series.append((v, [(i, p.median(key)) for i, (_, key)
                           in enumerate(PERCENTILES)] if ok else []))
    script = _lines_plot(f"Round-trip latency, {conns} connections, "
                         f"{size} B", "percentile", "round trip (log)",
                         series, logx=False, logy=True, us_axis=True)
    if script:
        tics = ", ".join(f"'{n}' {i}" for i, (n, _) in
                         enumerate(PERCENTILES))
        script = f"set xtics ({tics})\n" + script
    return script


def accept_latency(res):
    series = []
    for v in res.variants():
        rows = [(p.params["conns"], *_spread(p, "first_echo_p50_us"))
                for p in res.of("accept")
                if p.variant == v and p.values("first_echo_p50_us")]
        series.append((v, sorted(rows)))
    return _lines_plot("Connect to first echo, p50", "concurrent connectors",
                       "connect to first echo (log)", series, logy=True,
                       us_axis=True)


def memory(res):
    rows = []
    for i, v in enumerate(res.variants()):
        p = next((q for q in res.of("cost") if q.variant == v), None)
        if p and p.ok_runs:
            # A model that served fewer clients than were opened holds
            # the rest in its queue or the backlog: its bar is per client
            # opened, so the tick says how many it actually served.
            served, opened = p.median("served"), p.median("idle_conns")
            name = v if not opened or served >= opened else (
                f"{v}\\n(served {served:.0f} of {opened:.0f})")
            rows.append((i, f'"{name}"',
                         max(p.median("rss_per_conn_kib"), 0.01),
                         max(p.median("pss_per_conn_kib"), 0.01)))
    if not rows:
        return None
    return "\n".join([
        _block("mem", rows), "set title 'Memory per idle connection'",
        "set ylabel 'KiB per connection (log)'", "set logscale y",
        "set grid ytics", "set format y '%g'",
        "set style data histogram", "set style histogram clustered",
        "set style fill solid 0.8", "set boxwidth 0.9",
        "set key top right", "set bmargin 5",
        "plot $mem using 3:xtic(2) title 'RSS', '' using 4 title 'PSS'"])


def readiness(res):
    series = []
    for call in ("select", "poll", "epoll_wait"):
        rows = [(p.params["fds"], p.median("cpu_us")) for p in res.of("micro")
                if p.kind == call and p.ok_runs]
        series.append((call, sorted(rows)))
    return _lines_plot("One readiness call, one ready descriptor",
                       "watched descriptors", "CPU time per call (log)",
                       series, logy=True, us_axis=True)


def render(script, out_dir, name):
    """Writes name.gp and renders name.png and name.svg; returns the PNG
    file name, or None when gnuplot is missing or fails."""
    if script is None or shutil.which("gnuplot") is None:
        return None
    path = os.path.join(out_dir, name + ".gp")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(script + "\n")
    for terminal, ext in (("pngcairo noenhanced size 960,540 font 'sans,11'",
                           "png"),
                          ("svg noenhanced size 960,540 dynamic", "svg")):
        target = os.path.join(out_dir, f"{name}.{ext}")
        setup = f"set terminal {terminal}; set output '{target}'"
        done = subprocess.run(["gnuplot", "-e", setup, path],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gnuplot {name}: {done.stderr.strip()}")
    return name + ".png"
