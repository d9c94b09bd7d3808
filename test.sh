#!/usr/bin/env bash
# The one test command: restore, build in Release, run every test project.
# Tests marked [Trait("Category", "Long")] (a 1 000-member topic, a mailbox of 100 000 drained: tens of minutes) run only with --long.
# On a fresh Debian machine it installs what the tests need: PostgreSQL from Debian's packages, started
# as a throwaway cluster on a free port, owned by an unprivileged user (initdb and postgres refuse root),
# and Node.js with the ts-mls interop driver's npm packages, and Chromium for the dashboard's check.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi

filter="Category!=Long"
for arg in "$@"; do
  case "$arg" in
    --long) filter="" ;;
    *) echo "test.sh: unknown argument $arg (only --long)" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- PostgreSQL -------------------------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ]; then
  echo "test.sh: installing PostgreSQL from Debian's packages"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(pg_bin)

pg_user=$(id -un)
run_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  pg_user=ockam-test
  id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
  run_pg() { runuser -u "$pg_user" -- "$@"; }
fi

# The gateway test opens 1 000 connections from both ends.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then ulimit -n 8192 2>/dev/null || true; fi
pg_dir=$(mktemp -d /tmp/ockam-pg.XXXXXX)
chown "$pg_user" "$pg_dir"
chmod 700 "$pg_dir"

stop_pg() {
  run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
run_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
# A port is free only if PostgreSQL can bind it: one that nothing listens on may still be the local end of another
# process's connection, so each candidate is tried by starting the server on it.
pg_port=""
for candidate in $(seq 55432 55532); do
  if run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-p $candidate -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null 2>&1; then
    pg_port=$candidate
    break
  fi
done
[ -n "$pg_port" ] || { echo "test.sh: PostgreSQL did not start on any port of 55432-55532: $(tail -n 3 "$pg_dir/log")" >&2; exit 1; }
export OCKAM_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
# The outage test runs a server of its own, which it stops and starts: the same binaries, the same unprivileged user.
export OCKAM_TEST_PG_BIN="$PG_BIN" OCKAM_TEST_PG_USER="$pg_user"
echo "test.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# --- Node.js and the ts-mls interop driver ------------------------------------------------------------
# The MLS interop tests drive ts-mls (tests/interop/ts-mls) in a Node process; they fail, never skip,
# without it. Node comes from Debian's packages like PostgreSQL above; ts-mls needs Node 20 or later,
# which Debian 12's own nodejs (18) is not, so an old Node stops here with that said plainly.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: installing Node.js and npm from Debian's packages"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq nodejs npm >/dev/null
fi
command -v node >/dev/null 2>&1 || { echo "test.sh: node not found after installing nodejs" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "test.sh: npm not found after installing npm" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "test.sh: the ts-mls interop driver needs Node.js >= 20, found $(node --version)" >&2
  exit 1
fi
# npm ci wipes and reinstalls node_modules, so it runs only when the lock file changed since the last
# install (a stamp of its hash is left inside node_modules), keeping a second run instant.
ts_mls_dir=tests/interop/ts-mls
ts_mls_lock=$(sha256sum "$ts_mls_dir/package-lock.json" | awk '{print $1}')
if [ "$(cat "$ts_mls_dir/node_modules/.ockam-lock-sha256" 2>/dev/null || true)" != "$ts_mls_lock" ]; then
  (cd "$ts_mls_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || { echo "test.sh: npm ci failed in $ts_mls_dir" >&2; exit 1; }
  echo "$ts_mls_lock" >"$ts_mls_dir/node_modules/.ockam-lock-sha256"
fi
echo "test.sh: Node.js $(node --version), ts-mls $(node -p "require('./$ts_mls_dir/node_modules/ts-mls/package.json').version")"

# --- Chromium --------------------------------------------------------------------------------------------
# tests/dashboard/check.sh opens the silo's Orleans Dashboard in headless Chromium, from Debian's packages.
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing Chromium from Debian's packages"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
fi
command -v chromium >/dev/null 2>&1 || { echo "test.sh: chromium not found after installing chromium" >&2; exit 1; }

dotnet restore Ockam.sln
dotnet build Ockam.sln --configuration Release --no-restore
# The code's layout is checked like its warnings: `dotnet format Ockam.sln` fixes what this refuses.
dotnet format Ockam.sln --verify-no-changes --no-restore

status=0
total_passed=0
total_failed=0
total_skipped=0
for project in tests/*/*.Tests.csproj; do
  log=$(mktemp)
  if ! dotnet test "$project" --configuration Release --no-build --nologo ${filter:+--filter "$filter"} 2>&1 | tee "$log"; then
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

# The dashboard in a browser (its own silo process; a few seconds, bounded).
if ! timeout 300 tests/dashboard/check.sh; then
  echo "test.sh: tests/dashboard/check.sh failed" >&2
  status=1
fi

echo "tests: ${total_passed} passed, ${total_failed} failed, ${total_skipped} skipped"
if [ "$total_passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit $status
