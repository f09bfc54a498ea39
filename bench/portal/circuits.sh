#!/usr/bin/env bash
# The interactive portal's cost per open circuit (issue 13): starts a portal of its own on a temporary data folder,
# loads a generated gradebook through the API as a teacher, waits for the trained models, makes the accounts, then
# runs `bench/portal circuits` (Circuits.cs) against it in Debian's headless Chromium.
#   bash bench/portal/circuits.sh [--pages 20] [--samples 5] [--rounds 5] [--students 400]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/portal.sh
pages=20; samples=5; rounds=5; students=400
while [[ $# -gt 0 ]]; do
  case $1 in
    --pages) pages=$2; shift 2;; --samples) samples=$2; shift 2;; --rounds) rounds=$2; shift 2;;
    --students) students=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
(( students > pages )) || { echo "--students must be more than --pages (one student account per page)" >&2; exit 2; }

dotnet build -c Release src/StudyRecs.Web -v q -nologo >/dev/null
dotnet build -c Release src/StudyRecs.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/portal -v q -nologo >/dev/null
web=src/StudyRecs.Web/bin/Release/net10.0/StudyRecs.Web.dll
cli=src/StudyRecs.Cli/bin/Release/net10.0/studyrecs.dll
bench=bench/portal/bin/Release/net10.0/StudyRecs.Bench.Portal.dll
work=$(mktemp -d /tmp/studyrecs-circuits.XXXXXX)
port=$(free_port)
# Development: cookies without the Secure flag over plain http, and the starter resource catalog the dashboards
# recommend from. The demo accounts it also makes are not used.
export ASPNETCORE_ENVIRONMENT=Development Storage__DataDirectory=$work Database__Provider=Sqlite
export ConnectionStrings__StudyRecs="Data Source=$work/studyrecs.db"
export Logging__LogLevel__Default=Warning Training__CvFolds=3
start_portal "$web"

password=Bench-Password-1
dotnet "$cli" users create --role Admin --email bench-admin@studyrecs.local --password "$password" >/dev/null
dotnet "$cli" users create --role Teacher --email bench-teacher@studyrecs.local --password "$password" >/dev/null
# S00001 is the Development demo student's; the bench students are S00002 onwards.
for i in $(seq 1 "$pages"); do
  dotnet "$cli" users create --role Student --email "$(printf 'bench-student-%02d' "$i")@studyrecs.local" --password "$password" \
    --student-id "$(printf 'S%05d' $((i + 1)))" >/dev/null
done

# The teacher uploads the gradebook (so the at-risk list is theirs); the accepted upload queues a training.
dotnet "$cli" generate performance --students "$students" --out "$work/gradebook.csv" >/dev/null
token=$(curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"bench-teacher@studyrecs.local\",\"password\":\"$password\"}" \
  "http://127.0.0.1:$port/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
curl -fs -H "Authorization: Bearer $token" -F "file=@$work/gradebook.csv" -F on_overlap=replace \
  "http://127.0.0.1:$port/api/datasets" >/dev/null
for _ in $(seq 600); do [[ $(dotnet "$cli" models list | grep -ci -E 'regression|classification') -ge 2 ]] && break; sleep 2; done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M') UTC; commit $(git rev-parse --short HEAD)"
echo "data: $students students generated, $pages student accounts S00002..; portal pid $portal, $(dotnet --version)"
dotnet "$bench" circuits "http://127.0.0.1:$port" "$portal" "$password" --pages "$pages" --samples "$samples" --rounds "$rounds"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%H:%M') UTC"
