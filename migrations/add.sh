#!/usr/bin/env bash
# Adds a migration NAME for every provider (SQLite, PostgreSQL, SQL Server) from the current model.
# Usage: bash migrations/add.sh NAME
set -euo pipefail
name=${1:?usage: migrations/add.sh NAME}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
dotnet build migrations/StudyRecs.Migrations.Design -v q -nologo
for provider in Sqlite Postgres SqlServer; do
  dotnet ef migrations add "$name" \
    --project "migrations/StudyRecs.Migrations.$provider" \
    --startup-project migrations/StudyRecs.Migrations.Design \
    --no-build --context StudyRecsDbContext --output-dir Migrations -- "$provider"
done
