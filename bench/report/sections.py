"""The sections of report.md: one table per scenario, every variant side by
side, each followed by a 'What this shows' paragraph computed from the
numbers in it (never written by hand, so it cannot disagree with them)."""

from formatting import best_of, cell, num, pct, ranking, table

WAKEUP_TIE = 0.25  # models within 25 % of each other: no ranking


def _conns_label(n):
    return f"{n} conn{'s' if n != 1 else ''}"


def _floor_rate(res, conns, size):
    """The floor a throughput column is compared with."""
    if conns == 1:
        point = res.find("floor", kind="pingpong_cross_cpu", bytes=size)
    else:
        point = res.find("floor", kind="epoll_echo", conns=100, bytes=size)
    return point.median("msgs_per_s") if point else None


def _ranged(res, scenario, key, **params):
    """(variant, median, min, max) over the rounds, for ranking()."""
    out = []
    for variant in res.variants():
        point = res.find(scenario, variant, **params)
        values = point.values(key) if point else []
        if values:
            out.append((variant, point.median(key), min(values),
                        max(values)))
    return out


def _medians(res, scenario, key, **params):
    out = []
    for variant in res.variants():
        point = res.find(scenario, variant, **params)
        value = point.median(key) if point else None
        out.append((variant, value))
    return out


def _echo_rows(res, size, metric, lower_is_better):
    """The echo points' connection counts, the table header, and one row
    per variant of `metric` at each count, each cell against the best."""
    conns = res.param_values("echo", "conns", bytes=size)
    header = ["variant"] + [_conns_label(n) for n in conns]
    rows = []
    for variant in res.variants():
        row = [res.label(variant)]
        for n in conns:
            points = [res.find("echo", v, conns=n, bytes=size)
                      for v in res.variants()]
            best = best_of(points, metric, lower_is_better)
            row.append(cell(res.find("echo", variant, conns=n, bytes=size),
                            metric, best, lower_is_better))
        rows.append(row)
    return conns, header, rows


def throughput(res, size):
    conns, header, rows = _echo_rows(res, size, "msgs_per_s", False)
    rows.append(["*floor*"] + [num(_floor_rate(res, n, size))
                               for n in conns])
    text = [f"### Throughput, {size}-byte messages (msgs/s, closed loop)",
            "", table(header, rows), "",
            "*floor*: 1 connection = blocking ping-pong across the two CPUs;"
            " more = the minimal epoll echo at 100 connections.", "",
            "**What this shows.** " + _throughput_words(res, size, conns)]
    return "\n".join(text)


def _throughput_words(res, size, conns):
    words = []
    for n in conns:
        pairs = [(v, x) for v, x in
                 _medians(res, "echo", "msgs_per_s", conns=n, bytes=size)
                 if x]
        if len(pairs) < 2:
            continue
        values = [x for _, x in pairs]
        low, high = min(values), max(values)
        floor = _floor_rate(res, n, size)
        if n == 1 and (high - low) / high < WAKEUP_TIE:
            words.append(
                f"At 1 connection every model gives {num(low)}–{num(high)} "
                f"msgs/s, within {pct((high - low) / high)} of each other"
                + (f" and at {pct(low / floor)}–{pct(high / floor)} of the "
                   f"blocking ping-pong floor ({num(floor)} msgs/s)"
                   if floor else "")
                + ": one message in flight waits for two cross-CPU wake-ups "
                "of an idle virtual CPU per round trip, so this column "
                "measures the machine's wake-up latency, not the model.")
            continue
        best = max(pairs, key=lambda p: p[1])
        worst = min(pairs, key=lambda p: p[1])
        plural = "s" if n != 1 else ""
        sentence = (f"At {n} connection{plural} `{best[0]}` leads with "
                    f"{num(best[1])} msgs/s"
                    + (f" ({pct(best[1] / floor)} of the floor)"
                       if floor else "")
                    + f"; `{worst[0]}` reaches {pct(worst[1] / best[1])} "
                    f"of that.")
        words.append(sentence)
    missing = sorted({p.variant for p in res.of("echo")
                      if p.params.get("bytes") == size and not p.ok_runs
                      and p.errors and "cannot serve" in p.errors[0]})
    if missing:
        words.append("`" + "`, `".join(missing) + "` cannot serve more "
                     "than one client at a time, so those cells hold no "
                     "figure rather than the throughput of one client.")
    return " ".join(words)


def server_cpu(res, size):
    conns, header, rows = _echo_rows(res, size, "server_cpu_us_per_msg",
                                     True)
    floor = res.find("floor", kind="epoll_echo", conns=100, bytes=size)
    rows.append(["*floor* (epoll echo, 100)"] + [
        num(floor.median("server_cpu_us_per_msg")) if floor and n == 100
        else "" for n in conns])
    ranked = [n for n in conns if len([
        x for _, x in _medians(res, "echo", "server_cpu_us_per_msg",
                               conns=n, bytes=size) if x]) > 1]
    # 100 connections is where the models separate and the client is not
    # yet the limit (docs/benchmarking.md); else the largest point.
    rank_at = 100 if 100 in ranked else max(ranked, default=None)
    words = ""
    if rank_at:
        pairs = _ranged(res, "echo", "server_cpu_us_per_msg",
                        conns=rank_at, bytes=size)
        rates = _ranged(res, "echo", "msgs_per_s", conns=rank_at,
                        bytes=size)
        words = (f"Ranked by the server's own CPU time per echoed message "
                 f"at {rank_at} connections (lower is better; ≈ marks "
                 "neighbours whose rounds overlap): "
                 + ranking(pairs, " µs", True) + ". By msgs/s at the same "
                 "point: " + ranking(rates, "", False) + ". Closed-loop "
                 "msgs/s measures client and server together on two CPUs; "
                 "CPU per message is what the model itself costs.")
        busy = _ranged(res, "echo", "server_cpus_busy_us_per_msg",
                       conns=rank_at, bytes=size)
        if len(busy) > 1:
            words += (" The server CPUs' busy time per message at the same "
                      "point (`/proc/stat`: everything that ran there, "
                      "interrupts included): " + ranking(busy, " µs", True)
                      + ". It checks the server's own figure: where it is "
                      "much higher, something the server was not charged "
                      "for ran on its CPUs (interrupt work for its traffic, "
                      "or other programs on a busy machine).")
    return "\n".join([
        f"### Server CPU per message, {size} B (µs, server + children, "
        "wait4 after SIGTERM)", "", table(header, rows), "",
        "**What this shows.** " + words])


def latency(res, size):
    conns = res.param_values("echo", "conns", bytes=size)
    header = ["variant"] + [_conns_label(n) + " p50 / p99" for n in conns]
    rows = []
    for variant in res.variants():
        row = [res.label(variant)]
        for n in conns:
            p = res.find("echo", variant, conns=n, bytes=size)
            if p and p.values("rtt_p50_us"):
                row.append(f"{num(p.median('rtt_p50_us'))} / "
                           f"{num(p.median('rtt_p99_us'))}")
            else:
                row.append(cell(p, "rtt_p50_us"))
        rows.append(row)
    words = ""
    top = conns[-1] if conns else None
    checks = []
    for variant in res.variants():
        p = res.find("echo", variant, conns=top, bytes=size)
        if p and p.values("rtt_p50_us") and p.median("msgs_per_s"):
            little = top / p.median("msgs_per_s") * 1e6
            checks.append(little / p.median("rtt_mean_us")
                          if p.values("rtt_mean_us") else
                          little / p.median("rtt_p50_us"))
    if checks:
        words = (f"With {top} connections each holding one message, the "
                 "round trip is mostly queueing: Little's law "
                 "(connections ÷ throughput) predicts "
                 f"{pct(min(checks))}–{pct(max(checks))} of the measured "
                 "p50, so a slow model shows here as throughput, and a "
                 "p99 far above p50 shows a model that serves some "
                 "clients late (one thread or process starved by others).")
    return "\n".join([
        f"### Round-trip latency, {size} B (µs, closed loop)", "",
        table(header, rows), "", "**What this shows.** " + words])
