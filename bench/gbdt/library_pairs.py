#!/usr/bin/python3
"""ML.NET beside the engine (issue 14): fit time and hold-out quality of the engine (`learn --algorithm gbdt`), ML.NET
FastTree (with the missing-value imputation and indicators our learner adds) and ML.NET LightGbm, each against
XGBoost measured back to back in the same round; and `learn --algorithm auto` (both families) against the best
figure of `gbdt_anchor.py cv` on scikit-learn's small data sets.

  /usr/bin/python3 bench/gbdt/library_pairs.py large --task regression|binary|multiclass [--rows 1000000] [--rounds 1]
                                               [--threads 2] [--work-dir DIR] [--cli PATH]
  /usr/bin/python3 bench/gbdt/library_pairs.py small [--sets diabetes,breast_cancer,wine,digits] [--repeats 3]
                                               [--threads 2] [--work-dir DIR] [--cli PATH]
  /usr/bin/python3 bench/gbdt/library_pairs.py table FILE.jsonl...

`large` writes (once) the synthetic file with `gbdt_anchor.py synth` (20 features, 1 % of the cells missing; the
script prints how many training rows carry a missing cell, so a trainer that dropped them would show it in its
RMSE/accuracy), then for each round runs XGBoost (`gbdt_anchor.py holdout`, stopped after its XGBoost line) and
`studyrecs learn --algorithm gbdt|fasttree|lightgbm` with FastTree defaults (100 trees, 20 leaves, rate 0.2, 10 per
leaf) on the same split (last 20 % of rows in file order). The order of the four fits rotates from round to round.
Each fit runs under `flock -x /tmp/studyrecs-cpu.lock` (the machine is shared: never two timings at once).
One JSON line per fit (with the load average when it started and the ratio to XGBoost's fit in the same round).

`small` exports the sets with `gbdt_anchor.py export-sklearn`, reuses the anchor's cached cross-validation
(WORK_DIR/anchor-cv-NAME-10xR.jsonl, the cache of bench/gbdt/run_bench.py; runs the anchor only when missing) and runs
`learn --algorithm auto --cv 10 --repeats R`: auto chooses among both families by inner CV on each training part
only, so the outer folds are never used for tuning. One JSON line per set with the verdict against the best anchor.

`table FILE.jsonl...` prints the JSON lines of `large` and `small` runs as the Markdown tables of bench/RESULTS.md.

Fit seconds exclude CSV parsing on both sides. The CLI must be a Release build:
  dotnet build -c Release src/StudyRecs.Cli
"""
import argparse, json, os, subprocess, sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANCHOR = os.path.abspath(os.path.join(REPO, "..", "shared", "bench", "gbdt_anchor.py"))
CLI = os.path.join(REPO, "src", "StudyRecs.Cli", "bin", "Release", "net10.0", "studyrecs")
LOCK = ["flock", "-x", "/tmp/studyrecs-cpu.lock"]
SMALL = {"diabetes": "regression", "breast_cancer": "binary", "wine": "multiclass", "digits": "multiclass"}


def load():
    return round(os.getloadavg()[0], 2)


def xgboost(a, path):
    cmd = LOCK + ["/usr/bin/python3", ANCHOR, "holdout", "--data", path, "--target", "y", "--task", a.task, "--threads", str(a.threads)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, start_new_session=True) as p:
        for line in p.stdout:
            if line.startswith("{") and json.loads(line)["library"] == "xgboost":
                os.killpg(p.pid, 9)  # flock and the anchor: scikit-learn's fit comes next and is not wanted here
                return json.loads(line)
    sys.exit("the anchor printed no XGBoost line")


def learn(a, path, algorithm):
    cmd = LOCK + [a.cli, "learn", "--data", path, "--target", "y", "--task", a.task, "--algorithm", algorithm,
                  "--threads", str(a.threads), "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    for line in out.stderr.splitlines():
        print(f"# {algorithm}: {line}", file=sys.stderr)
    return next(json.loads(l) for l in out.stdout.splitlines() if l.startswith("{"))


def missing_rows(path, test_fraction=0.2):
    import numpy as np
    import pandas as pd
    df = pd.read_csv(path)
    n = len(df); nt = int(round(n * test_fraction))
    train = df.drop(columns=["y"]).iloc[: n - nt]
    return {"rows": n, "train_rows": n - nt, "train_rows_with_missing": int(train.isna().any(axis=1).sum()),
            "missing_cells_fraction": round(float(np.isnan(train.values).mean()), 4)}


def large(a):
    os.makedirs(a.work_dir, exist_ok=True)
    path = os.path.join(a.work_dir, f"{a.task}-{a.rows}.csv")
    if not os.path.exists(path):
        subprocess.run(["/usr/bin/python3", ANCHOR, "synth", "--rows", str(a.rows), "--task", a.task, "--out", path], check=True)
    print(json.dumps({"task": a.task, "data": path, **missing_rows(path)}), flush=True)
    fits = [("xgboost", None), ("studyrecs-gbdt", "gbdt"), ("mlnet-fasttree", "fasttree"), ("mlnet-lightgbm", "lightgbm")]
    metric = "rmse" if a.task == "regression" else "accuracy"
    for r in range(a.rounds):
        order = fits[r % len(fits):] + fits[:r % len(fits)]
        results = {}
        for name, algorithm in order:
            start = load()
            res = xgboost(a, path) if algorithm is None else learn(a, path, algorithm)
            results[name] = (res, start)
        x = results["xgboost"][0]
        for name, _ in fits:
            res, start = results[name]
            q = res[metric]
            rel = (q / x[metric] - 1) * 100 if metric == "rmse" else (q - x[metric]) * 100
            print(json.dumps({"round": r + 1, "task": a.task, "rows": a.rows, "threads": a.threads, "fit": name,
                              "library": res.get("library", "xgboost"), "order": [n for n, _ in order].index(name) + 1,
                              "fit_seconds": res["fit_seconds"], "fit_over_xgboost": round(res["fit_seconds"] / x["fit_seconds"], 3),
                              metric: round(q, 4), ("rmse_vs_xgboost_percent" if metric == "rmse" else "accuracy_vs_xgboost_points"): round(rel, 2),
                              "predict_rows_per_second": round(res["rows_per_second"]), "load_at_start": start}), flush=True)
    print(json.dumps({"task": a.task, "load_at_end": load()}), flush=True)


def anchor_cv(a, name, task, path):
    cache = os.path.join(a.work_dir, f"anchor-cv-{name}-10x{a.repeats}.jsonl")
    if not os.path.exists(cache):
        out = subprocess.run(LOCK + ["/usr/bin/python3", ANCHOR, "cv", "--data", path, "--target", "target", "--task", task,
                                     "--folds", "10", "--repeats", str(a.repeats)], check=True, capture_output=True, text=True).stdout
        with open(cache, "w") as f:
            f.writelines(l + "\n" for l in out.splitlines() if l.startswith("{"))
    with open(cache) as f:
        return [json.loads(l) for l in f if l.startswith("{")]


def small(a):
    out = os.path.join(a.work_dir, "sklearn")
    os.makedirs(a.work_dir, exist_ok=True)
    if not all(os.path.exists(os.path.join(out, f"{n}.csv")) for n in SMALL):
        subprocess.run(["/usr/bin/python3", ANCHOR, "export-sklearn", "--out-dir", out], check=True, capture_output=True)
    for name in a.sets.split(","):
        task = SMALL[name]
        path = os.path.join(out, f"{name}.csv")
        anchors = anchor_cv(a, name, task, path)
        start = load()
        res = subprocess.run(LOCK + [a.cli, "learn", "--data", path, "--target", "target", "--task", task, "--algorithm", "auto",
                                     "--cv", "10", "--repeats", str(a.repeats), "--threads", str(a.threads), "--json"],
                             check=True, capture_output=True, text=True).stdout
        ours = next(json.loads(l) for l in res.splitlines() if l.startswith("{"))
        metric, better = ("rmse", min) if task == "regression" else ("accuracy", max)
        best = better(anchors, key=lambda r: r[metric])
        diff = ours[metric] - best[metric]
        ok = diff <= 0 if metric == "rmse" else diff >= 0
        print(json.dumps({"set": name, "task": task, "metric": metric, "auto": round(ours[metric], 4), "auto_fit_seconds": ours["fit_seconds"],
                          "chosen": ours["chosen"], "library": ours["library"], "best_anchor": best["library"],
                          "best_anchor_value": round(best[metric], 4), "anchors": {r["library"]: round(r[metric], 4) for r in anchors},
                          "auto_minus_best": round(diff, 4), "verdict": "at least as good" if ok else "worse", "load_at_start": start}), flush=True)


def table(files):
    rows = [json.loads(l) for f in files for l in open(f) if l.startswith("{")]
    fits = [r for r in rows if "fit" in r]
    if fits:
        print("| task | round | fit (order) | library | fit s | fit / XGBoost | quality | vs XGBoost | predict rows/s | load at start |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in fits:
            q = f"RMSE {r['rmse']:.4f}" if "rmse" in r else f"accuracy {r['accuracy']:.4f}"
            d = f"{r['rmse_vs_xgboost_percent']:+.2f} %" if "rmse" in r else f"{r['accuracy_vs_xgboost_points']:+.2f} points"
            print(f"| {r['task']} | {r['round']} | {r['fit']} ({r['order']}) | {r['library']} | {r['fit_seconds']:.2f} | {r['fit_over_xgboost']:.2f} | "
                  f"{q} | {d} | {r['predict_rows_per_second']:,} | {r['load_at_start']:.1f} |")
    sets = [r for r in rows if "set" in r]
    if sets:
        print("| data set | task | auto | best anchor | studyrecs auto - best | verdict | auto chose (per outer fold) | load at start |")
        print("|---|---|---|---|---|---|---|---|")
        for r in sets:
            print(f"| {r['set']} | {r['task']} | {r['metric']} {r['auto']:.4f} ({r['auto_fit_seconds']:.0f} s) | {r['best_anchor']} {r['best_anchor_value']:.4f} | "
                  f"{r['auto_minus_best']:+.4f} | {r['verdict']} | {r['chosen']} | {r['load_at_start']:.1f} |")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "table":
        return table(sys.argv[2:])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    s = p.add_subparsers(dest="cmd", required=True)
    for q in (s.add_parser("large"), s.add_parser("small")):
        q.add_argument("--threads", type=int, default=2); q.add_argument("--work-dir", default="/tmp/studyrecs-gbdt-bench")
        q.add_argument("--cli", default=CLI)
    s.choices["large"].add_argument("--task", required=True, choices=["regression", "binary", "multiclass"])
    s.choices["large"].add_argument("--rows", type=int, default=1_000_000)
    s.choices["large"].add_argument("--rounds", type=int, default=1)
    s.choices["small"].add_argument("--sets", default=",".join(SMALL))
    s.choices["small"].add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    if not os.path.exists(a.cli):
        sys.exit(f"{a.cli} not found: dotnet build -c Release src/StudyRecs.Cli")
    large(a) if a.cmd == "large" else small(a)


if __name__ == "__main__":
    main()
