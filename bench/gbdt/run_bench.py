#!/usr/bin/python3
"""Side-by-side benchmark of StudyRecs' tree engine against XGBoost and scikit-learn.

Runs ../shared/bench/gbdt_anchor.py and `studyrecs learn` on the same files in one go and writes
the figures (with ratios against XGBoost measured in the same run) into the section
"## Gradient boosting engine" of bench/RESULTS.md, leaving other sections alone. With --skip-small the
section keeps its previous small-set figures, marked as not re-run.

  /usr/bin/python3 bench/gbdt/run_bench.py [--rows 1000000] [--threads 2] [--skip-large]
                                           [--skip-small] [--skip-latency] [--work-dir DIR]
                                           [--small-sets diabetes,wine] [--repeats 3] [--cli PATH]

Large: synthetic rows x 20 (regression, binary, multiclass), FastTree defaults, hold-out of the last
20% in file order. Small: scikit-learn's diabetes, breast_cancer, wine, digits with
`--algorithm auto --cv 10 --repeats 3` against `gbdt_anchor.py cv`. Latency: bench/gbdt/Latency.
The anchor's cross-validation of the small sets is slow (500-tree forests, 30 fits per family), so its
JSON lines are cached in the work directory as anchor-cv-NAME-FOLDSxREPEATS.jsonl and reused; delete
them to re-run the anchor.
"""
import argparse, datetime, json, os, platform, re, subprocess, sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANCHOR = os.path.abspath(os.path.join(REPO, "..", "shared", "bench", "gbdt_anchor.py"))
CLI = os.path.join(REPO, "src", "StudyRecs.Cli", "bin", "Release", "net10.0", "studyrecs")
LATENCY = os.path.join(REPO, "bench", "gbdt", "Latency")
RESULTS = os.path.join(REPO, "bench", "RESULTS.md")
SECTION = "## Gradient boosting engine"
SMALL = (("diabetes", "regression"), ("breast_cancer", "binary"), ("wine", "multiclass"), ("digits", "multiclass"))


def run(cmd):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; load average at start {load:.1f}"


def large(a, lines):
    lines += [f"### {a.rows:,} x 20 synthetic rows, FastTree defaults, {a.threads} threads, hold-out last 20%", "",
              "| task | library | fit s | fit / xgboost | predict rows/s | rows/s / xgboost | quality | quality vs xgboost |",
              "|---|---|---|---|---|---|---|---|"]
    for task in ("regression", "binary", "multiclass"):
        path = os.path.join(a.work_dir, f"{task}-{a.rows}.csv")
        if not os.path.exists(path):
            subprocess.run(["/usr/bin/python3", ANCHOR, "synth", "--rows", str(a.rows), "--task", task, "--out", path], check=True)
        anchors = run(["/usr/bin/python3", ANCHOR, "holdout", "--data", path, "--target", "y", "--task", task, "--threads", str(a.threads)])
        ours = run([a.cli, "learn", "--data", path, "--target", "y", "--task", task, "--threads", str(a.threads), "--json"])[0]
        ours["library"] = "studyrecs"
        xgb = next(r for r in anchors if r["library"] == "xgboost")
        metric = "rmse" if task == "regression" else "accuracy"
        for r in [ours] + anchors:
            q = r[metric]
            rel = (f"{(q / xgb[metric] - 1) * 100:+.2f}% RMSE" if task == "regression" else f"{(q - xgb[metric]) * 100:+.2f} points")
            lines.append(f"| {task} | {r['library']} | {r['fit_seconds']:.2f} | {r['fit_seconds'] / xgb['fit_seconds']:.2f} | "
                         f"{r['rows_per_second']:,.0f} | {r['rows_per_second'] / xgb['rows_per_second']:.2f} | {metric} {q:.4f} | {rel} |")
    lines += ["", "Targets: regression fit <= 1.0 x XGBoost and RMSE within 1%; binary/multiclass fit <= 1.2 x and "
              "accuracy within 0.5 points; batch rows/s >= XGBoost. Fit excludes CSV parsing on both sides.", ""]


def latency(a, lines):
    subprocess.run(["dotnet", "build", "-c", "Release", LATENCY], check=True, capture_output=True)
    rows = run(["dotnet", os.path.join(LATENCY, "bin", "Release", "net10.0", "Latency.dll"), str(a.threads)])
    lines += ["### Single-row prediction (bench/gbdt/Latency, models trained on 100,000 x 20 with FastTree defaults)", "",
              "| task | trees | median us/row (wall) | median us/row (process CPU) | bytes allocated per call |", "|---|---|---|---|---|"]
    lines += [f"| {r['task']} | {r['trees']} | {r['single_row_us']:.2f} | {r['single_row_cpu_us']:.2f} | {r['bytes_per_call']:g} |" for r in rows]
    lines += ["", "Target: under 20 us per row. On a loaded machine the wall clock includes time the process waits for a core; "
              "CPU time counts only the work.", ""]


def anchor_cv(a, name, task, path):
    cache = os.path.join(a.work_dir, f"anchor-cv-{name}-10x{a.repeats}.jsonl")
    if os.path.exists(cache):
        with open(cache) as f:
            return [json.loads(line) for line in f if line.startswith("{")]
    rows = run(["/usr/bin/python3", ANCHOR, "cv", "--data", path, "--target", "target", "--task", task, "--folds", "10", "--repeats", str(a.repeats)])
    with open(cache, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    return rows


def small(a, lines):
    out = os.path.join(a.work_dir, "sklearn")
    subprocess.run(["/usr/bin/python3", ANCHOR, "export-sklearn", "--out-dir", out], check=True, capture_output=True)
    lines += [f"### Small real data sets, 10-fold CV x {a.repeats} repeats (pooled predictions)", "",
              "| data set | task | studyrecs auto | best anchor | anchor figures | studyrecs - best | studyrecs chose |",
              "|---|---|---|---|---|---|---|"]
    for name, task in SMALL:
        if a.small_sets and name not in a.small_sets.split(","):
            continue
        path = os.path.join(out, f"{name}.csv")
        anchors = anchor_cv(a, name, task, path)
        ours = run([a.cli, "learn", "--data", path, "--target", "target", "--task", task, "--algorithm", "auto", "--cv", "10", "--repeats", str(a.repeats),
                    "--threads", str(a.threads), "--json"])[0]
        metric, better = ("rmse", min) if task == "regression" else ("accuracy", max)
        best = better(anchors, key=lambda r: r[metric])
        figures = ", ".join(f"{r['library']} {r[metric]:.4f}" for r in anchors)
        diff = ours[metric] - best[metric]
        verdict = "better or equal" if (diff <= 0 if metric == "rmse" else diff >= 0) else "worse"
        lines.append(f"| {name} | {task} | {metric} {ours[metric]:.4f} ({ours['fit_seconds']:.0f} s fit) | {best['library']} {best[metric]:.4f} | {figures} | "
                     f"{diff:+.4f} ({verdict}) | {ours['chosen']} |")
    lines += [""]


def previous_subsection(prefix):
    """The lines of a subsection of the current section whose heading starts with prefix, or []."""
    if not os.path.exists(RESULTS):
        return []
    match = re.search(r"^## Gradient boosting engine\n.*?(?=^## |\Z)", open(RESULTS).read(), re.S | re.M)
    if not match:
        return []
    kept, inside = [], False
    for line in match.group(0).splitlines():
        if line.startswith("### "):
            inside = line.startswith(prefix)
        if inside:
            kept.append(line)
    return kept


def write_section(lines):
    body = "\n".join([SECTION, ""] + lines).rstrip() + "\n"
    text = open(RESULTS).read() if os.path.exists(RESULTS) else "# Benchmark results\n"
    pattern = re.compile(r"^## Gradient boosting engine\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: body + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + body
    with open(RESULTS, "w") as f:
        f.write(text.rstrip() + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--work-dir", default="/tmp/studyrecs-gbdt-bench")
    p.add_argument("--skip-large", action="store_true")
    p.add_argument("--skip-small", action="store_true")
    p.add_argument("--skip-latency", action="store_true")
    p.add_argument("--small-sets", help="comma-separated subset of diabetes,breast_cancer,wine,digits")
    p.add_argument("--repeats", type=int, default=3, help="CV repeats for the small sets")
    p.add_argument("--cli", help="an already built studyrecs binary (skips the build)")
    a = p.parse_args()
    os.makedirs(a.work_dir, exist_ok=True)
    if a.cli is None:
        subprocess.run(["dotnet", "build", "-c", "Release", os.path.join(REPO, "src", "StudyRecs.Cli")], check=True, capture_output=True)
        a.cli = CLI
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Run {stamp} on {machine()}. Produced by `bench/gbdt/run_bench.py`; ratios compare runs made back to back in this "
             "run, so machine load affects both sides (XGBoost/OpenMP suffers more from a loaded machine).", ""]
    if not a.skip_large:
        large(a, lines)
    if not a.skip_latency:
        latency(a, lines)
    if not a.skip_small:
        small(a, lines)
    else:
        kept = previous_subsection("### Small real data sets")
        if kept:
            lines += [kept[0], "", "Not re-run this time (`--skip-small`): figures kept from the previous run of this section."] + kept[1:] + [""]
    write_section(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
