#!/usr/bin/env bash
# POST /api/predict over loopback with audit logging on, measured with wrk (issue 6: ≥ 1,500 req/s, p99 < 25 ms,
# no errors, memory flat over 60 s). Anchor in the same run: a static file through the same pipeline.
#   bash bench/predict/wrk.sh [--duration 60] [--connections 16] [--students 400]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/portal.sh
duration=60; connections=16; students=400
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2; shift 2;; --connections) connections=$2; shift 2;; --students) students=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

dotnet build -c Release src/StudyRecs.Web -v q -nologo >/dev/null
dotnet build -c Release src/StudyRecs.Cli -v q -nologo >/dev/null
web=src/StudyRecs.Web/bin/Release/net10.0/StudyRecs.Web.dll
cli=src/StudyRecs.Cli/bin/Release/net10.0/studyrecs.dll
work=$(mktemp -d /tmp/studyrecs-wrk.XXXXXX)
port=$(free_port)
export ASPNETCORE_ENVIRONMENT=Production Storage__DataDirectory=$work Database__Provider=Sqlite
export ConnectionStrings__StudyRecs="Data Source=$work/studyrecs.db"
export Datasets__MinimumLabelledRowsToTrain=200 Logging__LogLevel__Default=Warning
# One client hammers the API on purpose: lift its rate limit for the run.
export RateLimiting__Predict__TokenLimit=1000000 RateLimiting__Predict__TokensPerPeriod=1000000 Training__CvFolds=3
start_portal "$web"
dotnet "$cli" generate performance --students "$students" --out "$work/gradebook.csv" >/dev/null
# The accepted import queues a training by itself; wait for the models it registers.
dotnet "$cli" import --file "$work/gradebook.csv" >/dev/null
for _ in $(seq 600); do [[ $(dotnet "$cli" models list | grep -ci -E 'regression|classification') -ge 2 ]] && break; sleep 2; done
dotnet "$cli" users create --role Teacher --email bench@studyrecs.local --password Bench-Password-1 >/dev/null
token=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@studyrecs.local","password":"Bench-Password-1"}' \
  "http://127.0.0.1:$port/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')

cat >"$work/predict.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local subjects = {"Programming Fundamentals", "Data Structures", "Discrete Mathematics", "Calculus", "Linear Algebra"}
local i = 0
request = function()
  i = i + 1
  local body = string.format('{"semester": %d, "subject": "%s", "assignment_marks": %d, "quiz_marks": %d, "attendance_percentage": %d, "midterm_marks": %d, "previous_cgpa": %.2f}',
    1 + i % 2, subjects[1 + i % #subjects], 40 + i % 60, 30 + (i * 7) % 70, 50 + (i * 3) % 50, 20 + (i * 11) % 80, 1.5 + (i % 25) / 10)
  return wrk.format(nil, "/api/predict", nil, body)
end
LUA

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M') UTC"
echo "models: $(dotnet "$cli" models list | head -3 | tail -2 | tr -s ' ' | paste -sd';')"
echo
echo "== anchor: GET /favicon.svg (static file, same pipeline), 10 s =="
wrk -t2 -c"$connections" -d10s --latency "http://127.0.0.1:$port/favicon.svg" | grep -E "Requests/sec|99%|Non-2xx|Socket errors" || true
echo
echo "== POST /api/predict, ${duration} s, $connections connections, audit logging on =="
( for s in $(seq 0 5 "$duration"); do echo "rss t=${s}s: $(grep VmRSS /proc/$portal/status | awk '{print $2/1024 " MB"}')"; sleep 5; done ) &
sampler=$!
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$work/predict.lua" "http://127.0.0.1:$port"
wait "$sampler" || true
sleep 2
logged=$(python3 - "$work/studyrecs.db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from PredictionLog").fetchone()[0])
PY
)
echo "prediction logs stored: $logged"
