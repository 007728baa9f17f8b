"""The bench's figures: each harness records what it measured beside its
target; every figure is printed beside the previous run's, read from
tests/bench/figures.json, which the run rewrites (committed, so the
previous run is the one the tree was last measured with). `figures.py
--readme README.md` rewrites README's table of figures, between the
markers "<!-- bench-figures -->" and "<!-- /bench-figures -->", from the
same file."""
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FILE = os.environ.get("BENCH_FIGURES", os.path.join(HERE, "figures.json"))


def _load():
    try:
        with open(FILE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"figures": {}}


def record(key, value, unit, target=None, below=True, note=""):
    """Prints one figure (value in unit) beside its target (value must be
    below it, or above with below=False) and the previous run's, and
    stores it. Returns True when the target is met (or there is none)."""
    doc = _load()
    prev = doc["figures"].get(key, {}).get("value")
    met = target is None or (value < target if below else value > target)
    fmt = lambda v: "-" if v is None else ("%.3g" % v if abs(v) < 100 else "%.0f" % v)
    print("  %-44s %10s %-4s target %s%-8s previous %-10s %s" % (
        key, fmt(value), unit, "<" if below else ">", fmt(target) if target is not None else "-",
        fmt(prev), "" if target is None else ("PASS" if met else "MISS")))
    doc["figures"][key] = {"value": value, "unit": unit, "target": target,
                           "below": below, "met": met, "previous": prev, "note": note,
                           "measured": datetime.date.today().isoformat()}
    with open(FILE + ".tmp", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(FILE + ".tmp", FILE)
    return met


def readme(path):
    doc = _load()
    rows = ["| figure | measured | target | previous run | |", "|---|---|---|---|---|"]
    for key, f in sorted(doc["figures"].items()):
        t = f.get("target")
        rows.append("| %s | %s %s | %s | %s | %s |" % (
            key, "%.3g" % f["value"] if abs(f["value"]) < 100 else "%.0f" % f["value"], f["unit"],
            "-" if t is None else "%s %s %s" % ("<" if f.get("below", True) else ">", t, f["unit"]),
            "-" if f.get("previous") is None else "%.3g %s" % (f["previous"], f["unit"]),
            "" if t is None else ("met" if f["met"] else "**missed**")))
    with open(path) as fh:
        text = fh.read()
    begin, end = "<!-- bench-figures -->", "<!-- /bench-figures -->"
    if begin not in text or end not in text:
        sys.exit("figures.py: %s has no %s ... %s markers" % (path, begin, end))
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as fh:
        fh.write(head + begin + "\n" + "\n".join(rows) + "\n" + end + tail)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--readme":
        readme(sys.argv[2])
    else:
        sys.exit("usage: figures.py --readme README.md")
