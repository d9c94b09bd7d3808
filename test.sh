#!/usr/bin/env bash
# The one test command: restore, build in Release, run every test project.
# On a fresh Debian machine it installs what the tests need (today: only the .NET SDK, which the
# machine image carries; PostgreSQL joins here when the storage tests arrive).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet restore Ockam.sln
dotnet build Ockam.sln --configuration Release --no-restore

status=0
total_passed=0
total_failed=0
total_skipped=0
for project in tests/*/*.Tests.csproj; do
  log=$(mktemp)
  if ! dotnet test "$project" --configuration Release --no-build --nologo 2>&1 | tee "$log"; then
    status=1
  fi
  # Sum VSTest's summary lines ("Passed!  - Failed: 0, Passed: 133, Skipped: 0, ...").
  if line=$(grep -E '(Passed|Failed)! +- Failed: ' "$log" | tail -n 1); then
    total_failed=$((total_failed + $(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line")))
    total_passed=$((total_passed + $(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")))
    total_skipped=$((total_skipped + $(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$line")))
  fi
  rm -f "$log"
done

echo "tests: ${total_passed} passed, ${total_failed} failed, ${total_skipped} skipped"
if [ "$total_passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit $status
