#!/usr/bin/python3
"""The report of tools/bench: reads the tab-separated results the driver
collected, writes OUT/results.json (with the json module, so it is always
valid JSON; a figure that could not be measured is null, never NaN),
OUT/series-TOOL.dat for gnuplot, and prints the table of medians with
corral's ratio to each peer.

    bench-report.py RESULTS OUT_DIR

Result lines:
    KEY<TAB>VALUE                       dotted KEY, e.g. scale.crun.list_ms
    point<TAB>TOOL<TAB>RUNNING<TAB>START_MS<TAB>PSS_KB<TAB>AVAIL_KB<TAB>PROCS
"""
import json
import math
import os
import sys

TOOLS = ["corral", "crun", "runc", "lxc", "nspawn"]

# label, unit, which way is better, key template ({t} = tool); the init row
# compares corral-init with tini.
ROWS = [
    ("start: run `true` to completion, median", "ms", "lower", "start.{t}.median_ms"),
    ("init: PID 1 of sleep, PSS", "KiB", "lower", None),
    ("scale: machines started", "", "", "scale.{t}.n"),
    ("scale: start one at a time", "1/s", "higher", "scale.{t}.start_rate_seq"),
    ("scale: start all at once", "1/s", "higher", "scale.{t}.start_rate_all"),
    ("scale: start latency, median", "ms", "lower", "scale.{t}.start_ms_median"),
    ("scale: host memory per machine, PSS", "KiB", "lower", "scale.{t}.mem_pss_kb"),
    ("scale: MemAvailable drop per machine", "KiB", "lower", "scale.{t}.memavail_kb"),
    ("scale: processes per machine", "", "lower", "scale.{t}.procs_per_machine"),
    ("scale: list with all running, median", "ms", "lower", "scale.{t}.list_ms"),
    ("scale: stop all", "s", "lower", "scale.{t}.stop_all_s"),
    ("scale: stop all by corrald's exit", "s", "lower", "scale.{t}.stop_all_exit_s"),
    ("scale: corrald idle PSS", "KiB", "lower", "scale.{t}.corrald_pss_kb"),
    ("scale: corrald idle CPU", "%", "lower", "scale.{t}.corrald_cpu_pct"),
    ("scale: left behind after stop", "", "", "scale.{t}.leftovers"),
    ("scale: left behind after the second stop", "", "", "scale.{t}.leftovers_after_all"),
]


def value(text):
    if text == "":
        return None
    try:
        f = float(text)
    except ValueError:
        return text
    if not math.isfinite(f):
        return None
    return int(f) if f.is_integer() and "." not in text else f


def put(tree, key, v):
    keys = key.split(".")
    for k in keys[:-1]:
        tree = tree.setdefault(k, {})
    tree[keys[-1]] = v


def get(tree, key):
    for k in key.split("."):
        if not isinstance(tree, dict) or k not in tree:
            return None
        tree = tree[k]
    return tree


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 100 or float(v).is_integer():
        return "%.0f" % v
    return "%.2f" % v if abs(v) < 10 else "%.1f" % v


def main():
    results, out = sys.argv[1], sys.argv[2]
    data, series = {}, {}
    with open(results) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "point" and len(fields) == 7:
                tool = fields[1]
                names = ["running", "start_ms", "pss_kb_per_machine",
                         "memavail_kb_per_machine", "processes_per_machine"]
                series.setdefault(tool, []).append(
                    dict(zip(names, (value(x) for x in fields[2:]))))
            elif len(fields) == 2:
                put(data, fields[0], value(fields[1]))
    for tool, points in series.items():
        points.sort(key=lambda p: p["running"] or 0)
        put(data, "scale.%s.series" % tool, points)

    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(data, f, indent=2, sort_keys=True, allow_nan=False)
        f.write("\n")

    for tool in TOOLS:
        path = os.path.join(out, "series-%s.dat" % tool)
        points = series.get(tool)
        if not points:
            if os.path.exists(path):
                os.unlink(path)
            continue
        with open(path, "w") as f:
            f.write("# running start_ms pss_kb_per_machine memavail_kb_per_machine\n")
            for p in points:
                f.write(" ".join("?" if p[k] is None else str(p[k]) for k in
                                 ("running", "start_ms", "pss_kb_per_machine",
                                  "memavail_kb_per_machine")) + "\n")

    columns = TOOLS + ["tini"]
    width = 40
    head = "%-*s %-4s " % (width, "figure (median; ratio = corral / peer)", "unit")
    head += "".join("%16s" % c for c in columns)
    print(head)
    print("-" * len(head))
    for label, unit, better, template in ROWS:
        if template is None:
            cells = {"corral": get(data, "init.corral-init.pss_kb"),
                     "tini": get(data, "init.tini.pss_kb")}
        else:
            cells = {t: get(data, template.format(t=t)) for t in TOOLS}
        if all(v is None for v in cells.values()):
            continue
        mine = cells.get("corral")
        row = "%-*s %-4s " % (width, label, unit)
        for c in columns:
            v = cells.get(c)
            text = fmt(v)
            if (c != "corral" and better and isinstance(v, (int, float))
                    and isinstance(mine, (int, float)) and v > 0 and mine > 0):
                text += " (x%.2f)" % (mine / v)
            row += "%16s" % text
        print(row)
    print()
    print("x = corral's figure divided by the peer's: below 1 is better for"
          " ms, KiB, s, %; above 1 is better for 1/s.")
    n = get(data, "options.n")
    if n is not None:
        print("scale: N=%s requested; memory per machine is measured with all"
              " N running, idle CPU over %s s." % (n, fmt(get(data, "options.idle_s"))))
    skipped = get(data, "skipped") or {}
    for tool in sorted(skipped):
        for section, why in sorted(skipped[tool].items()):
            print("skipped: %s %s: %s" % (tool, section, why))
    notes = get(data, "notes") or {}
    for tool in sorted(notes):
        for section, why in sorted(notes[tool].items()):
            print("note: %s %s: %s" % (tool, section, why))
    errors = get(data, "errors") or {}
    for tool in sorted(errors):
        for section, why in sorted(errors[tool].items()):
            print("ERROR: %s %s: %s" % (tool, section, why))


if __name__ == "__main__":
    main()
