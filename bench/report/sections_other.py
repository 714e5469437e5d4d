"""report.md sections beyond closed-loop echo: the floor, accept latency,
the cost of idle connections and the micro-benchmarks."""

from formatting import best_of, cell, num, pct, ranking, table
from sections import _conns_label, _floor_rate, _medians, _ranged


def variants(res):
    """The measured variants and their traits, from the registry that
    echo_bench recorded in the run's context; "" for an older run."""
    traits = res.traits()
    if not traits:
        return ""
    rows = []
    for name in res.variants() or list(traits):
        t = traits.get(name, {})
        rows.append([res.label(name), t.get("model", "?").replace("_", " "),
                     t.get("unit") or "one thread",
                     f"`{t['waits_in']}`" if t.get("waits_in") else "",
                     f"`{t['pool_flag']}`" if t.get("pool_flag") else "",
                     str(t["conn_limit"]) if t.get("conn_limit") else ""])
    header = ["variant", "model", "clients run in", "main loop waits in",
              "pool sized by", "--max-conns ceiling"]
    return "\n".join(["## The variants", "", table(header, rows)])


def floor(res):
    rows = []
    for size in sorted({p.params.get("bytes") for p in res.of("floor")}):
        pair = res.find("floor", kind="send_recv", bytes=size)
        same = res.find("floor", kind="pingpong_same_cpu", bytes=size)
        cross = res.find("floor", kind="pingpong_cross_cpu", bytes=size)
        echo = res.find("floor", kind="epoll_echo", conns=100, bytes=size)
        rows.append([f"{size} B", cell(pair, "cpu_us"), cell(same, "real_us"),
                     cell(cross, "real_us"), cell(echo, "msgs_per_s"),
                     cell(echo, "server_cpu_us_per_msg")])
    header = ["message", "send+recv pair (CPU µs)",
              "ping-pong RTT, one CPU (µs)", "ping-pong RTT, two CPUs (µs)",
              "minimal epoll echo, 100 conns (msgs/s)",
              "its server CPU per msg (µs)"]
    words = ""
    s = res.find("floor", kind="pingpong_same_cpu", bytes=64)
    c = res.find("floor", kind="pingpong_cross_cpu", bytes=64)
    if s and c and s.median("real_us") and c.median("real_us"):
        words = (f"A blocking round trip takes {num(s.median('real_us'))} µs "
                 f"when both ends share a CPU and {num(c.median('real_us'))} "
                 f"µs across the two "
                 f"(×{c.median('real_us') / s.median('real_us'):.0f}): "
                 "crossing CPUs means waking a halted virtual CPU twice per "
                 "round trip. That, not any server, bounds one connection.")
    return "\n".join(["### The machine's floor", "", table(header, rows), "",
                      "**What this shows.** " + words])


def fraction_of_floor(res, size):
    conns = res.param_values("echo", "conns", bytes=size)
    header = ["variant"] + [_conns_label(n) for n in conns]
    rows = []
    for variant in res.variants():
        row = [res.label(variant)]
        for n in conns:
            p = res.find("echo", variant, conns=n, bytes=size)
            floor_rate = _floor_rate(res, n, size)
            value = p.median("msgs_per_s") if p and p.ok_runs else None
            row.append(pct(value / floor_rate)
                       if value and floor_rate else "—")
        rows.append(row)
    return "\n".join([
        f"### Throughput as a fraction of the floor, {size} B", "",
        table(header, rows), "",
        "1 connection ÷ the two-CPU blocking ping-pong; more connections ÷ "
        "the minimal epoll echo at 100 connections, measured in the same "
        "run. Over 100 % is possible where a model batches better than the "
        "minimal loop, or where the machine was quieter during its run."])


def accept(res):
    out = ["### Accept: connect, one 64-byte echo, close", ""]
    for n in res.param_values("accept", "conns"):
        points = {v: res.find("accept", v, conns=n) for v in res.variants()}
        best_cpu = best_of(points.values(), "server_cpu_us_per_conn", True)
        best_echo = best_of(points.values(), "first_echo_p50_us", True)
        rows = [[res.label(v), cell(p, "conns_per_s"),
                 cell(p, "connect_p50_us"),
                 cell(p, "first_echo_p50_us", best_echo, True),
                 cell(p, "first_echo_p99_us"),
                 cell(p, "server_cpu_us_per_conn", best_cpu, True),
                 pct(p.median("client_cpu_load")) if p and p.ok_runs
                 else "—"]
                for v, p in points.items()]
        out += [f"#### {n} concurrent connector{'s' if n > 1 else ''}", "",
                table(["variant", "conns/s", "connect p50 µs",
                       "first echo p50 µs", "first echo p99 µs",
                       "server CPU µs per conn", "client CPU"], rows), ""]
    out.append("**What this shows.** " + _accept_words(res))
    return "\n".join(out)


def _accept_words(res):
    levels = res.param_values("accept", "conns")
    if not levels:
        return ""
    n = levels[-1]
    cpu = _ranged(res, "accept", "server_cpu_us_per_conn", conns=n)
    echo = _ranged(res, "accept", "first_echo_p50_us", conns=n)
    loads = [x for _, x in _medians(res, "accept", "client_cpu_load",
                                    conns=n) if x]
    words = (f"Server CPU per accepted connection at {n} connectors: "
             + ranking(cpu, " µs", True) + ". Connect → first echo p50: "
             + ranking(echo, " µs", True) + ".")
    if loads:
        words += (f" Connections/s is not a ranking here: the connecting "
                  f"side pays for both ends of each handshake on loopback "
                  f"and ran at up to {pct(max(loads))} of its CPU.")
    return words


def cost(res):
    rows = []
    for v in res.variants():
        p = next((q for q in res.of("cost") if q.variant == v), None)
        k = p.median("idle_conns") if p and p.ok_runs else None
        rows.append([res.label(v),
                     f"{p.median('served'):.0f} of {k:.0f}" if k
                     else cell(p, "served"),
                     cell(p, "threads"), cell(p, "processes"),
                     cell(p, "server_fds"), cell(p, "rss_mib"),
                     cell(p, "rss_per_conn_kib"),
                     cell(p, "pss_per_conn_kib")])
    header = ["variant", "served", "threads", "processes", "descriptors",
              "RSS MiB", "RSS KiB per conn", "PSS KiB per conn"]
    pss = _medians_cost(res, "pss_per_conn_kib")
    words = ("Memory per idle connection (proportional set size, which "
             "splits shared pages fairly between processes): "
             + ranking(pss, " KiB", True) + ". RSS sums every process's "
             "resident pages, so a forked child counts its shared copy of "
             "the parent again. A model that serves fewer clients than were "
             "opened (see *served*) keeps the rest waiting in the kernel's "
             "backlog or its queue: its memory stays bounded, its clients "
             "are not served.")
    return "\n".join(["### Cost of idle connections", "",
                      table(header, rows), "", "**What this shows.** "
                      + words])


def _medians_cost(res, key):
    out = []
    for v in res.variants():
        p = next((q for q in res.of("cost") if q.variant == v), None)
        out.append((v, p.median(key) if p and p.ok_runs else None))
    return out


def micro(res):
    prims = [("fork_exit_wait", "fork + _exit + waitpid"),
             ("thread_create_join", "thread create + join"),
             ("fd_handoff", "descriptor to a pool worker and back")]
    rows = [[label, cell(res.find("micro", kind=k), "real_us")]
            for k, label in prims]
    per_switch = {}
    for unit in ("threads", "processes"):
        p = res.find("micro", kind=f"switch_{unit}")
        if p is None:
            continue
        tasks = p.params.get("tasks", 1)
        per_switch[unit] = (p.median("real_us") / tasks
                            if p.ok_runs and p.median("real_us") else None)
        rows.append([f"switch to the next of {tasks} blocked {unit} on one "
                     "CPU (per switch)", num(per_switch[unit])])
    out = ["### Micro-benchmarks: what each model pays per client", "",
           table(["primitive", "µs (wall)"], rows), ""]
    if per_switch.get("threads") and per_switch.get("processes"):
        ratio = per_switch["processes"] / per_switch["threads"]
        out += ["**What this shows.** A busy blocking server with a task per "
                "client switches tasks on about every message. Between "
                f"processes a switch costs {num(per_switch['processes'])} µs, "
                f"×{ratio:.1f} the {num(per_switch['threads'])} µs between "
                "threads of one process: a process switch changes page "
                "tables and loses the TLB entries they cached. That is the "
                "gap between `prefork` and `thread_pool` (and "
                "`fork_per_conn` and `thread_per_conn`) in CPU per message "
                "once the clients are connected.", ""]
    fds = sorted({p.params.get("fds") for p in res.of("micro")
                  if "fds" in p.params})
    calls = ["select", "poll", "epoll_wait"]
    rows = [[str(n)] + [cell(res.find("micro", kind=c, fds=n), "cpu_us")
                        for c in calls] for n in fds]
    out += ["#### One readiness call with one ready descriptor of n "
            "(CPU µs per call)", "", table(["n watched"] + calls, rows), ""]
    if len(fds) > 1:
        growth = []
        for c in calls:
            lo = res.find("micro", kind=c, fds=fds[0])
            hi = res.find("micro", kind=c, fds=fds[-1])
            if lo and hi and lo.median("cpu_us") and hi.median("cpu_us"):
                ratio = hi.median("cpu_us") / lo.median("cpu_us")
                growth.append(f"`{c}` ×{ratio:.1f}")
        out.append(f"**What this shows.** From {fds[0]} to {fds[-1]} "
                   "watched descriptors the cost of one call grows: "
                   + ", ".join(growth) + ". select and poll hand the whole "
                   "set to the kernel and scan it on every call; epoll "
                   "keeps the set in the kernel and returns only the ready "
                   "list.")
    return "\n".join(out)
