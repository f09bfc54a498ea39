#!/usr/bin/env bash
# Upload fuzzing campaign: mutated gradebooks (flipped bytes, truncations, zipped garbage, xlsx bombs, wrong
# encodings, huge cells, formula injection, broken structure, wrong extensions) through POST /api/datasets of an
# in-process portal on SQLite. Passes when no answer is a 5xx, every refusal is Problem Details with a title and
# a detail, and no rejected upload keeps a row or a file. CI runs the same test with 100 files per family (1,100).
#
#   bench/faults/upload-fuzz.sh [FILES_PER_FAMILY]   (default 1000: 11,000 files)
set -euo pipefail
cd "$(dirname "$0")/../.."
per_family="${1:-1000}"
start=$(date +%s)
STUDYRECS_FUZZ_FILES_PER_FAMILY="$per_family" dotnet test tests/StudyRecs.Web.Tests \
  --filter "FullyQualifiedName~UploadFuzzTests" --logger "console;verbosity=detailed" 2>&1 \
  | grep -E "files:|rows of rejected|Passed!|Failed!|Test Run|\[FAIL\]" || true
echo "files per family: $per_family; wall time: $(( $(date +%s) - start )) s (build included); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
