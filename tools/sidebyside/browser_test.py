#!/usr/bin/env python3
"""Browser test of the side-by-side page: loads it from disk in headless
Chromium (--dump-dom runs its script), and checks for two pairs of
variants that the left column shows the left variant's serve() and the
right column the right one's, line for line from the sources, with the
lines that differ marked. Then takes a screenshot to look at.

Exit status: 0 passed, 1 failed, 77 skipped (no Chromium, or it cannot
start here), which CTest reports as skipped (SKIP_RETURN_CODE).
"""
import argparse
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sidebyside import read_variant  # noqa: E402

SKIP = 77
PAIRS = [("select_loop", "epoll_loop"), ("iterative", "fork_per_conn")]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


class Columns(html.parser.HTMLParser):
    """Collects the text of each td.code cell: (side, text, marked)."""

    def __init__(self):
        super().__init__()
        self.cells = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class", "").split()
        if tag == "td" and "code" in classes:
            side = "left" if "left" in classes else "right"
            self._open = [side, "", "diff" in classes]

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append(tuple(self._open))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(binary, profile, extra, url):
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(command, capture_output=True, text=True,
                          errors="replace", timeout=90)


def loop_lines(root, variant):
    """serve() as the page shows it (read_variant finds the file)."""
    shown = read_variant(root, variant)
    first, last = shown["loop"]
    return [l.rstrip() for l in shown["lines"][first:last + 1]]


def only_in(lines, other):
    """A line of lines that other lacks, long enough to be distinctive:
    it must show in its own column, marked as differing."""
    others = {l.strip() for l in other}
    return next((l.strip() for l in lines
                 if len(l.strip()) >= 20 and l.strip() not in others), None)


def check_pair(dom, root, left, right):
    """Returns a list of problems; empty when the pair renders right."""
    parser = Columns()
    parser.feed(dom)
    problems = []
    loops = {v: loop_lines(root, v) for v in (left, right)}
    for side, variant in (("left", left), ("right", right)):
        shown = [text.rstrip() for s, text, _ in parser.cells
                 if s == side and text.strip()]
        want = [l for l in loops[variant] if l.strip()]
        if shown != want:
            missing = next((l for l in want if l not in shown), "?")
            problems.append(
                f"{side} column: {len(shown)} code lines shown, {len(want)} "
                f"in {variant} serve(); first missing: {missing!r}")
        other = loops[right if variant == left else left]
        marker = only_in(loops[variant], other)
        if marker is None:
            problems.append(f"{variant} has no line of its own to look for")
            continue
        hits = [(s, marked) for s, text, marked in parser.cells
                if marker in text]
        if (side, True) not in hits:
            problems.append(f"{side} column: {marker!r} from {variant} is "
                            f"not there marked as differing (found {hits})")
    return problems


def check_plots(dom):
    """The measured plots beside the code: every chart has labelled y
    ticks, and the connection-rate chart is on a log axis so that
    fork_per_conn's rate does not lie flat on the floor. Nothing to check
    when the page was built without results."""
    if "No benchmark results were found" in dom:
        return []
    problems = []
    charts = dom.split("<svg")[1:]
    if not charts:
        problems.append("results are there but no chart was drawn")
    for chart in charts:
        title = chart.split("font-weight=\"600\">", 1)[-1].split("<", 1)[0]
        if chart.count('class="ytick-label"') < 2:
            problems.append(f"chart {title!r} has fewer than 2 y ticks")
    rate = [c for c in charts if "Connections per second" in c]
    if rate and "conns/s (log)" not in rate[0]:
        problems.append("the connection-rate chart is not on a log axis")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--screenshot", required=True)
    args = parser.parse_args()

    if not os.path.isfile(args.page):
        print(f"FAIL: {args.page} is missing; build the sidebyside target")
        return 1
    binary = chromium()
    if binary is None:
        print("SKIP: no chromium on PATH (apt-get install chromium); "
              "the page was not rendered")
        return SKIP
    url = "file://" + os.path.abspath(args.page)
    with tempfile.TemporaryDirectory(prefix="sbs-chromium-") as profile:
        try:
            probe = run_chromium(binary, profile, ["--dump-dom"],
                                 "about:blank")
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"SKIP: {binary} cannot start here: {error}")
            return SKIP
        if probe.returncode != 0 or "<html" not in probe.stdout:
            print(f"SKIP: {binary} cannot start here (exit "
                  f"{probe.returncode}): {probe.stderr.strip()[-400:]}")
            return SKIP
        failed = False
        for left, right in PAIRS:
            dom = run_chromium(binary, profile, ["--dump-dom"],
                               f"{url}#left={left}&right={right}&view=loop")
            problems = (check_pair(dom.stdout, args.root, left, right)
                        + check_plots(dom.stdout))
            for problem in problems:
                print(f"FAIL {left} | {right}: {problem}")
            if not problems:
                print(f"ok   {left} | {right}: both columns show the real "
                      "serve() lines, the differing ones marked; the "
                      "charts have y ticks")
            failed = failed or bool(problems)
        shot = run_chromium(
            binary, profile,
            [f"--screenshot={os.path.abspath(args.screenshot)}",
             "--window-size=1800,1150"],
            f"{url}#left=iterative&right=fork_per_conn&view=loop")
        if shot.returncode != 0 or not os.path.isfile(args.screenshot):
            print(f"FAIL: no screenshot: {shot.stderr.strip()[-400:]}")
            failed = True
        else:
            print(f"screenshot: {args.screenshot}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
