#!/usr/bin/env bash
# Recommender benchmark on the default generated engagement set (100,000 students, 10,000 resources,
# 3,000,000 events). Usage: bench/recommend/run.sh [DATA_DIR]   (default: $TMPDIR/studyrecs-bench-recommend)
# Prints: ALS/EASE training time, top-10 latency per strategy, peak memory, exact scoring vs catalog size,
# then the offline quality of every strategy through the public CLI (with the CLI's peak RSS).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="${1:-${TMPDIR:-/tmp}/studyrecs-bench-recommend}"
dotnet build -c Release "$root/src/StudyRecs.Cli" -v q -nologo
dotnet build -c Release "$root/bench/recommend" -v q -nologo
cli="$root/src/StudyRecs.Cli/bin/Release/net10.0/studyrecs"
if [ ! -f "$data/interactions.csv" ]; then
  "$cli" generate engagement --out-dir "$data" --seed 0
fi
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
dotnet "$root/bench/recommend/bin/Release/net10.0/StudyRecs.Bench.Recommend.dll" "$data" --threads 2
echo "== recommend-eval --algorithm ${ALGORITHM:-all} (JSON lines), peak RSS from /usr/bin/time"
/usr/bin/time -f "recommend-eval peak RSS: %M KB, wall %e s" \
  "$cli" recommend-eval --interactions "$data/interactions.csv" --items "$data/resources.csv" --students "$data/students.csv" \
  --algorithm "${ALGORITHM:-all}" --json
echo "== recommend-eval --algorithm ranker without --students (the ranker without forecasts)"
/usr/bin/time -f "recommend-eval peak RSS: %M KB, wall %e s" \
  "$cli" recommend-eval --interactions "$data/interactions.csv" --items "$data/resources.csv" --algorithm ranker --json
