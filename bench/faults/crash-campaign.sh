#!/usr/bin/env bash
# Crash campaign (issue 17, Faults, "Crashes"): CYCLES times, kill -9 the portal (a real StudyRecs.Web process on
# SQLite) while it imports a ROWS-row gradebook uploaded through POST /api/datasets and while it trains, restart it,
# and check after each restart: no rows of the cut import, the import Rejected with the interruption's reason, the
# training run marked interrupted (start-up log) and run again to the end, no half-written model version, the active
# versions unchanged by the crash, and PRAGMA integrity_check = ok (before and after the restart).
# The gradebook is made by `studyrecs generate performance`; Datasets:MaxUploadBytes is raised to 512 MB for the run.
# CI runs the same test (CrashCampaignTests) with 3 cycles and a 100,000-row import.
#
#   bench/faults/crash-campaign.sh [CYCLES] [ROWS]   (defaults 20 and 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles="${1:-20}"
rows="${2:-1000000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
# 10 rows a student; students far from the training set's (S00001..S00200), so the upload overlaps nothing.
dotnet run --project src/StudyRecs.Cli -v q -- generate performance --students $(( rows / 10 )) --first-student 200001 \
  --out "$work/gradebook.csv" >/dev/null
echo "gradebook: $(( rows / 10 )) students, $(wc -l < "$work/gradebook.csv") lines, $(du -h "$work/gradebook.csv" | cut -f1)"
STUDYRECS_CRASH_CYCLES="$cycles" STUDYRECS_CRASH_ROWS="$rows" STUDYRECS_CRASH_CSV="$work/gradebook.csv" \
  dotnet test tests/StudyRecs.Web.Tests --filter "FullyQualifiedName~CrashCampaignTests" \
  --logger "console;verbosity=detailed" 2>&1 \
  | grep -E "set-up|cycle [0-9]+:|crash campaign:|Passed!|Failed!|Test Run|\[FAIL\]|Assert|Expected|Actual|Cycle" || true
echo "cycles: $cycles; rows: $rows; wall time: $(( $(date +%s) - start )) s (build included); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)"
