#!/usr/bin/python3
"""Fit-time pairs, ours and XGBoost's, back to back on the same file: a quick check of the fit-time targets when the
machine is quiet enough for a few minutes but not for the whole run_bench.py (whose scikit-learn anchor is slow).

  /usr/bin/python3 bench/gbdt/quiet_pairs.py --data FILE.csv --task regression|binary|multiclass [--pairs 2]
                                             [--threads 2] [--cli PATH]

Runs ../shared/bench/gbdt_anchor.py holdout and stops it as soon as it has printed its XGBoost line (scikit-learn
comes after it), then `studyrecs learn` with FastTree defaults on the same split; the order alternates from pair to
pair. Prints one JSON line per fit (with its batch-prediction rows/s on the test rows) and a closing line with each pair's ratio (ours / XGBoost) and the load average.
"""
import argparse, json, os, subprocess, sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANCHOR = os.path.abspath(os.path.join(REPO, "..", "shared", "bench", "gbdt_anchor.py"))
CLI = os.path.join(REPO, "src", "StudyRecs.Cli", "bin", "Release", "net10.0", "studyrecs")


def xgboost(a):
    cmd = ["/usr/bin/python3", ANCHOR, "holdout", "--data", a.data, "--target", "y", "--task", a.task, "--threads", str(a.threads)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as p:
        for line in p.stdout:
            if line.startswith("{") and json.loads(line)["library"] == "xgboost":
                p.kill()
                return json.loads(line)
    sys.exit("the anchor printed no XGBoost line")


def ours(a):
    out = subprocess.run([a.cli, "learn", "--data", a.data, "--target", "y", "--task", a.task, "--threads", str(a.threads), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return next(json.loads(l) for l in out.splitlines() if l.startswith("{"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True); p.add_argument("--task", required=True)
    p.add_argument("--pairs", type=int, default=2); p.add_argument("--threads", type=int, default=2); p.add_argument("--cli", default=CLI)
    a = p.parse_args()
    ratios = []
    for i in range(a.pairs):
        load = os.getloadavg()[0]
        first, second = (xgboost, ours) if i % 2 == 0 else (ours, xgboost)
        r1 = first(a); r2 = second(a)
        x, o = (r1, r2) if first is xgboost else (r2, r1)
        for lib, r in (("xgboost", x), ("studyrecs", o)):
            print(json.dumps({"pair": i + 1, "library": lib, "fit_seconds": r["fit_seconds"], "load_at_start": round(load, 1),
                              "rows_per_second": round(r["rows_per_second"]),
                              **{k: r[k] for k in ("rmse", "accuracy") if k in r}}), flush=True)
        ratios.append(round(o["fit_seconds"] / x["fit_seconds"], 3))
    print(json.dumps({"task": a.task, "fit_ratio_ours_over_xgboost": ratios, "load_at_end": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
