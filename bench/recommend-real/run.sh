#!/usr/bin/env bash
# Offline quality on real interactions (MovieLens 100K, see movielens.py), per-student paired comparisons.
#   bash bench/recommend-real/run.sh ML_DIR [LIMIT] [DATA_FILE]   (ML_DIR holds u.data and u.item from GroupLens)
# LIMIT keeps the first LIMIT ratings of DATA_FILE (default: all of u.data).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ml=$1; limit=${2:-0}; data_file=${3:-u.data}
work=$(mktemp -d /tmp/studyrecs-real.XXXXXX)
mkdir -p "$work/per-student"
python3 "$root/bench/recommend-real/movielens.py" --ml "$ml" --out "$work" --limit "$limit" --data-file "$data_file"
dotnet build -c Release "$root/src/StudyRecs.Cli" -v q -nologo >/dev/null
cli="$root/src/StudyRecs.Cli/bin/Release/net10.0/studyrecs.dll"
echo "== $(date -u '+%F %T') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$root" rev-parse --short HEAD)"
for a in popularity itemknn ease als content two-tower hybrid ranker; do
  dotnet "$cli" recommend-eval --interactions "$work/interactions.csv" --items "$work/items.csv" --algorithm "$a" --json --per-student "$work/per-student/$a.csv" 2>/dev/null
done
echo "== paired comparisons (students as units)"
python3 "$root/bench/recommend-real/paired.py" "$work"/per-student/*.csv --pair hybrid:ease --pair hybrid:itemknn --pair ranker:ease --pair ranker:itemknn \
  --pair ranker:hybrid --pair two-tower:als
echo "files in $work"
