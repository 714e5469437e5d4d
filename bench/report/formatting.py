"""Number and table formatting for report.md (GitHub Markdown)."""


def num(value):
    """A readable number: 12,345 / 123.4 / 1.23; '—' for none."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude < 0.005:
        return "0"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def pct(fraction):
    return "—" if fraction is None else f"{fraction * 100:.0f}%"


def table(header, rows):
    """A Markdown table; every row as long as the header."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def why_missing(point):
    """What to print where a point has no figure."""
    if point is None:
        return "not run"
    errors = point.errors
    if not errors:
        return "—"
    first = errors[0]
    if first.startswith("model cannot serve"):
        return "cannot serve"
    return "failed*"


def cell(point, key, best=None, lower_is_better=False):
    """'12,345 ±3% (×0.95)': median, spread over rounds, ratio to best."""
    if point is None or not point.values(key):
        return why_missing(point)
    value = point.median(key)
    text = num(value)
    spread = point.spread(key)
    if spread is not None and len(point.values(key)) > 1:
        text += f" ±{spread * 50:.0f}%"
    if best and best > 0:
        text += f" (×{value / best:.2f})"
    return text


def best_of(points, key, lower_is_better=False):
    values = [p.median(key) for p in points if p and p.values(key)]
    values = [v for v in values if v]
    if not values:
        return None
    return min(values) if lower_is_better else max(values)


def ranking(entries, unit, lower_is_better):
    """'`a` 4.1 µs, `b` 4.6 µs (×1.12) ≈ `c` 4.7 µs (×1.15)' from
    (name, median) or (name, median, low, high) entries. '≈' joins two
    neighbours whose ranges over the rounds overlap: within this run's
    noise they are a tie, whatever their medians say."""
    entries = sorted((e for e in entries if e[1] is not None),
                     key=lambda e: e[1], reverse=not lower_is_better)
    if not entries:
        return ""
    best = entries[0][1]
    text = ""
    previous = None
    for entry in entries:
        name, value = entry[0], entry[1]
        ratio = ("" if value == best or best <= 0
                 else f" (×{value / best:.2f})")
        if previous is not None:
            tie = (len(entry) == 4 and len(previous) == 4
                   and entry[2] <= previous[3] and previous[2] <= entry[3])
            text += " ≈ " if tie else ", "
        text += f"`{name}` {num(value)}{unit}{ratio}"
        previous = entry
    return text
