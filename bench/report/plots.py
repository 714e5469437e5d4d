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


def _lines_plot(title, xlabel, ylabel, series, logx=True, logy=False):
    """series: [(legend, [(x, y), ...]), ...] -> gnuplot script body."""
    body = []
    plots = []
    for i, (legend, rows) in enumerate(series):
        if rows:
            body.append(_block(f"s{i}", rows))
            # lt i + 1: a variant keeps its colour in every plot.
            plots.append(f"$s{i} using 1:2 with linespoints lw 2 "
                         f"lt {i + 1} title '{legend}'")
    if not plots:
        return None
    body += ["set linetype 5 lc rgb '#c00000'",  # default yellow is faint
             f"set title '{title}'", f"set xlabel '{xlabel}'",
             f"set ylabel '{ylabel}'", "set grid", "set key outside right",
             "set logscale x" if logx else "", "set logscale y" if logy
             else "set yrange [0:*]", "plot " + ", \\\n  ".join(plots)]
    return "\n".join(body)


def throughput(res, size):
    series = []
    for v in res.variants():
        rows = [(p.params["conns"], p.median("msgs_per_s"))
                for p in res.of("echo") if p.variant == v
                and p.params.get("bytes") == size and p.ok_runs]
        series.append((v, sorted(rows)))
    floor = res.find("floor", kind="epoll_echo", conns=100, bytes=size)
    if floor and floor.ok_runs:
        series.append(("floor: minimal epoll echo",
                       [(100, floor.median("msgs_per_s"))]))
    return _lines_plot(f"Echo throughput, {size}-byte messages",
                       "connections", "messages/s", series)


def server_cpu(res, size):
    series = []
    for v in res.variants():
        rows = [(p.params["conns"], p.median("server_cpu_us_per_msg"))
                for p in res.of("echo") if p.variant == v
                and p.params.get("bytes") == size and p.ok_runs]
        series.append((v, sorted(rows)))
    return _lines_plot(f"Server CPU per message, {size} B", "connections",
                       "CPU µs per message (log)", series, logy=True)


def latency_percentiles(res, size, conns):
    series = []
    for v in res.variants():
        p = res.find("echo", v, conns=conns, bytes=size)
        ok = p is not None and bool(p.ok_runs)
        series.append((v, [(i, p.median(key)) for i, (_, key)
                           in enumerate(PERCENTILES)] if ok else []))
    script = _lines_plot(f"Round-trip latency, {conns} connections, "
                         f"{size} B", "percentile", "µs", series,
                         logx=False, logy=True)
    if script:
        tics = ", ".join(f"'{n}' {i}" for i, (n, _) in
                         enumerate(PERCENTILES))
        script = f"set xtics ({tics})\n" + script
    return script


def accept_latency(res):
    series = []
    for v in res.variants():
        rows = [(p.params["conns"], p.median("first_echo_p50_us"))
                for p in res.of("accept") if p.variant == v and p.ok_runs]
        series.append((v, sorted(rows)))
    return _lines_plot("Connect to first echo, p50", "concurrent connectors",
                       "µs", series, logy=True)


def memory(res):
    rows = []
    for i, v in enumerate(res.variants()):
        p = next((q for q in res.of("cost") if q.variant == v), None)
        if p and p.ok_runs:
            rows.append((i, f'"{v}"', max(p.median("rss_per_conn_kib"), 0.01),
                         max(p.median("pss_per_conn_kib"), 0.01)))
    if not rows:
        return None
    return "\n".join([
        _block("mem", rows), "set title 'Memory per idle connection'",
        "set ylabel 'KiB (log)'", "set logscale y", "set grid ytics",
        "set style data histogram", "set style histogram clustered",
        "set style fill solid 0.8", "set boxwidth 0.9",
        "set xtics rotate by -20",
        "plot $mem using 3:xtic(2) title 'RSS', '' using 4 title 'PSS'"])


def readiness(res):
    series = []
    for call in ("select", "poll", "epoll_wait"):
        rows = [(p.params["fds"], p.median("cpu_us")) for p in res.of("micro")
                if p.kind == call and p.ok_runs]
        series.append((call, sorted(rows)))
    return _lines_plot("One readiness call, one ready descriptor",
                       "watched descriptors", "CPU µs per call", series,
                       logy=True)


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
