#!/usr/bin/env bash
# Portal training time on generated gradebooks, before and after ML.NET joined the portal's candidate grid (issue 14).
#
#   bash bench/training/run.sh [--rows "10000 100000"] [--variants "after before old"] [--old-root DIR] [--folds 5]
#
# Variants (each on the same generated file, written once per size by this tree's CLI with seed 42):
#   after   this tree, default Training:Libraries (studyrecs and ml.net: the engine's and ML.NET's candidates)
#   before  this tree with Training__Libraries__0=studyrecs (the engine's candidates only)
#   mlnet-only  this tree with Training__Libraries__0=ml.net (ML.NET's candidates only: what they cost on their own)
#   old     the portal built from --old-root, a checkout of the last commit before ML.NET candidates joined
#           (d57f11f^):  git worktree add --detach /work/wt-bench-old d57f11f^   (remove it afterwards)
#   old-engine  the --old-root portal with Training__Libraries__0=studyrecs (e.g. --old-root a checkout of 305c3d0,
#           the last commit before candidates raced over the folds: today's engine-only training)
# For each size and variant: a fresh Storage:DataDirectory and SQLite database, the portal started on a free port
# (its scheduler runs the training), `studyrecs import` of the gradebook (an accepted upload queues the grade
# training), then the run is waited for. The time reported is the run's own FinishedAt - StartedAt from the
# TrainingRuns table (StartedAt is reset when the scheduler starts it, so the queue wait is not counted).
# Everything from the portal's start to its stop holds `flock -x /tmp/studyrecs-cpu.lock` (never two timings at
# once on this shared machine); the 1-minute load average is printed before and after each run.
# One JSON line per run on stdout; progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
rows_list="10000 100000"; variants="after before"; old_root=""; folds=5; timeout=7200
while [[ $# -gt 0 ]]; do
  case $1 in
    --rows) rows_list=$2; shift 2;; --variants) variants=$2; shift 2;; --old-root) old_root=$2; shift 2;;
    --folds) folds=$2; shift 2;; --timeout) timeout=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[[ " $variants " == *" old"* && -z $old_root ]] && { echo "--variants old and old-engine need --old-root DIR" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
build() { flock -x /tmp/studyrecs-cpu.lock dotnet build -c Release "$1/src/StudyRecs.Web" -v q -nologo >/dev/null
          flock -x /tmp/studyrecs-cpu.lock dotnet build -c Release "$1/src/StudyRecs.Cli" -v q -nologo >/dev/null; }
build "$root"
[[ -n $old_root ]] && build "$old_root"
data=$(mktemp -d /tmp/studyrecs-trainbench-data.XXXXXX)
trap 'rm -rf "$data"' EXIT
cli="$root/src/StudyRecs.Cli/bin/Release/net10.0/studyrecs.dll"

# One measured run: portal of tree $1, gradebook $2, extra environment in $3 (space-separated NAME=VALUE).
measure() {
  local tree=$1 book=$2 extra=$3 work port portal rc=0
  work=$(mktemp -d /tmp/studyrecs-trainbench.XXXXXX)
  port=$(free_port)
  (
    export ASPNETCORE_ENVIRONMENT=Production Storage__DataDirectory=$work Database__Provider=Sqlite
    export ConnectionStrings__StudyRecs="Data Source=$work/studyrecs.db" Logging__LogLevel__Default=Warning
    export Datasets__MinimumLabelledRowsToTrain=200 Training__CvFolds=$folds
    # No recommender retraining during the measure (the hourly cron would start one on the hour).
    export Recommendations__RetrainCron="0 0 3 1 1 ? 2099"
    for kv in $extra; do export "${kv?}"; done
    dotnet "$tree/src/StudyRecs.Web/bin/Release/net10.0/StudyRecs.Web.dll" --urls "http://127.0.0.1:$port" >"$work/portal.log" 2>&1 &
    portal=$!
    trap 'kill $portal 2>/dev/null; wait $portal 2>/dev/null || true' EXIT
    for _ in $(seq 240); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; kill -0 $portal || exit 1; sleep 0.5; done
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    dotnet "$tree/src/StudyRecs.Cli/bin/Release/net10.0/studyrecs.dll" import --file "$book" >"$work/import.log" 2>&1
    /usr/bin/python3 - "$work/studyrecs.db" "$timeout" "$load_before" <<'PY'
import json, os, sqlite3, sys, time
from datetime import datetime
db, timeout, load_before = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
deadline = time.time() + timeout
def row():
    con = sqlite3.connect(db, timeout=30)
    try:
        # Before the recommender's runs joined the table (older trees) there is no Kind column.
        kinds = "Kind" in [c[1] for c in con.execute("pragma table_info(TrainingRuns)")]
        return con.execute("select Id, Status, StartedAt, FinishedAt, CandidateCount, ResultSummary, Error from TrainingRuns "
                           + ("where Kind = 'Grades' " if kinds else "") + "order by Id desc limit 1").fetchone()
    finally:
        con.close()
step = None
while time.time() < deadline:
    r = row()
    if r and r[1] in ("Succeeded", "Failed", "Interrupted"):
        break
    time.sleep(1)
else:
    sys.exit("timed out waiting for the training run")
seconds = (datetime.fromisoformat(r[3]) - datetime.fromisoformat(r[2])).total_seconds()
con = sqlite3.connect(db, timeout=30)
# Each candidate's fits summed over its folds, and how many folds it ran (fewer when racing stopped it).
def folds(metrics):
    return next(iter(json.loads(metrics).values()), {}).get("count")
per_candidate = [f"{t} {c}: {d:.1f} s, {folds(m)} folds" for t, c, d, m in con.execute(
    "select Task, Candidate, DurationSeconds, CvMetricsJson from ModelRuns where TrainingRunId = ? order by Id", (r[0],))]
# Why racing stopped a candidate, from each version's candidate list.
notes = [f"{c['candidate']}: {c['note']}" for (m,) in con.execute("select MetricsJson from TrainedModels where TrainingRunId = ?", (r[0],))
         for c in json.loads(m).get("candidates", []) if c.get("note")]
con.close()
print(json.dumps({"run": r[0], "status": r[1], "train_seconds": round(seconds, 1), "candidates": r[4],
                  "load_before": load_before, "load_after": float(open("/proc/loadavg").read().split()[0]),
                  "summary": r[5], "error": r[6], "candidate_seconds": per_candidate, "stopped": notes}))
PY
  ) || rc=$?
  [[ $rc -ne 0 ]] && { echo "run failed ($rc); portal log tail:" >&2; tail -20 "$work/portal.log" >&2; tail -5 "$work/import.log" >&2; }
  rm -rf "$work"
  return $rc
}

echo "# $(date -u '+%Y-%m-%d %H:%M') UTC; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); commit $(git rev-parse --short HEAD)${old_root:+; old $(git -C "$old_root" rev-parse --short HEAD)}" >&2
for rows in $rows_list; do
  book="$data/gradebook-$rows.csv"
  dotnet "$cli" generate performance --students $((rows / 10)) --out "$book" >/dev/null
  for variant in $variants; do
    case $variant in
      after) tree=$root; extra="";;
      before) tree=$root; extra="Training__Libraries__0=studyrecs";;
      mlnet-only) tree=$root; extra="Training__Libraries__0=ml.net";;
      old) tree=$old_root; extra="";;
      old-engine) tree=$old_root; extra="Training__Libraries__0=studyrecs";;
      *) echo "unknown variant $variant" >&2; exit 2;;
    esac
    echo "# $rows rows, $variant ..." >&2
    result=$(flock -x /tmp/studyrecs-cpu.lock bash -c "$(declare -f measure free_port); folds=$folds timeout=$timeout measure '$tree' '$book' '$extra'") || continue
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(json.dumps({"rows": int(sys.argv[2]), "variant": sys.argv[3], **r}))' "$result" "$rows" "$variant"
  done
done
