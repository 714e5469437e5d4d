"""report.md on where the run ran: the load at its start, the CPU sets of
servers and load generator, what one server CPU hides about multi-core
models, and the scaling of throughput with server CPUs."""

from formatting import cell, num, table

BUSY_PER_CPU = 0.5  # 1-minute load average per CPU above which we warn


def load_warning(res):
    """A loud paragraph when the machine was busy at the start, else ''."""
    c = res.context
    load = (c.get("load_avg") or [0])[0]
    cpus = c.get("num_cpus") or 1
    if load <= BUSY_PER_CPU * cpus:
        return ""
    return (f"> **⚠ Warning: the machine was busy when this run began** "
            f"(1-minute load average {load:.2f} on {cpus} CPUs, above "
            f"{BUSY_PER_CPU} per CPU). Other programs shared the CPUs, so "
            "every figure here is lower and noisier than on a quiet "
            "machine, and cross-CPU wake-ups are faster (a busy CPU is not "
            "halted). Rerun on a quiet machine before quoting a figure.")


def cpu_rows(res):
    """Table rows naming the CPU sets of the run."""
    servers = res.context.get("echolab_server_cpus")
    client = res.context.get("echolab_client_cpus")
    if not servers:
        return []  # a run made before the CPU sets were recorded
    rows = [f"| server CPUs | {servers.split('|')[0].strip()}"
            + (f" (scaling points also on: "
               f"{', '.join(s.strip() for s in servers.split('|')[1:])})"
               if "|" in servers else "") + " |"]
    if client:
        count = len(res.cpu_sets("echolab_client_cpus")[0])
        rows.append(f"| load generator CPUs | {client} ({count} "
                    f"thread{'s' if count != 1 else ''}) |")
    return rows


def one_core_note(res):
    """What a single server CPU hides, when the main sweep had one."""
    sets = res.cpu_sets("echolab_server_cpus")
    if not sets or len(sets[0]) != 1:
        return ""
    models = res.multi_core()
    if res.traits() and not models:
        return ""  # the traits are known and no such model was measured
    named = ("`" + "`, `".join(models) + "`" if models else
             "multi-core models (a thread or process per worker or per "
             "loop, with MODEL event_loop or worker_pool)")
    scaled = len(sets) > 1
    return (f"> **One server CPU.** Every server ran on CPU {sets[0][0]}, "
            f"so {named} {'was' if len(models) == 1 else 'were'} measured "
            f"on one core: {'its' if len(models) == 1 else 'their'} "
            "threads or processes take turns on it. "
            "The figures show what the model costs per message and what "
            "its coordination adds, not what spreading clients over cores "
            "gains; a model built to scale looks no faster than its "
            "one-thread partner here, and contention that appears only "
            "when workers truly run at once (locks, a shared accept queue, "
            "cache lines moving between cores) does not show. "
            + ("The scaling section below measures more server CPUs."
               if scaled else "Run with `--server-cpus 0 --server-cpus "
               "0,1` (or more CPUs) for the scaling section."))


def scaling(res):
    """Throughput at one point against the number of server CPUs."""
    counts = res.param_values("scaling", "server_cpus")
    if len(counts) < 2:
        return ""
    any_point = res.of("scaling")[0]
    conns, size = any_point.params["conns"], any_point.params["bytes"]
    header = ["variant"] + [f"{n} server CPU{'s' if n > 1 else ''}"
                            for n in counts] + [f"×{counts[-1]} / ×{counts[0]}"]
    rows = []
    for v in res.variants():
        points = [res.find("scaling", v, server_cpus=n, conns=conns,
                           bytes=size) for n in counts]
        if not any(points):
            continue
        first, last = (p.median("msgs_per_s") if p and p.ok_runs else None
                       for p in (points[0], points[-1]))
        rows.append([res.label(v)] + [cell(p, "msgs_per_s") for p in points]
                    + [f"×{last / first:.2f}" if first and last else "—"])
    client = res.context.get("echolab_client_cpus", "?")
    clients = res.cpu_sets("echolab_client_cpus")
    client_set = set(clients[0]) if clients else set()
    overlap = [len(s) for s in res.cpu_sets("echolab_server_cpus")
               if set(s) & client_set]
    words = (f"msgs/s at {conns} connections, {size} B, closed loop, with "
             f"the servers pinned to each CPU set in turn and the load "
             f"generator on CPUs {client}. A ratio near ×1 means the model "
             "does not use the extra cores (one thread does all the work) "
             "or the load generator is the limit; read it with the client "
             "CPU load of the same run.")
    if overlap:
        words += (f" With {', '.join(str(n) for n in overlap)} server CPUs "
                  "the sets overlap the load generator's, so server and "
                  "client compete for a core there: that column is a "
                  "lower bound, not the model's scaling.")
    return "\n".join([f"### Scaling with server CPUs ({num(conns)} "
                      f"connections, {size} B)", "", table(header, rows), "",
                      "**What this shows.** " + words])
