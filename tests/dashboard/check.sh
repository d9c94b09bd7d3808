#!/usr/bin/env bash
# The Orleans Dashboard of a real silo, seen by a real browser: starts the built silo (Release) with `--dashboard` on a
# fresh data directory, opens the dashboard's grains page in headless Chromium (Debian's `chromium`) and checks that it
# lists a grain type of ours and that the dashboard listens on loopback only.
#   tests/dashboard/check.sh                                  # the check
#   tests/dashboard/check.sh --screenshot docs/dashboard.png  # the check, and the page's screenshot saved there
# Bounded in time: every wait has its limit, and test.sh runs the whole under `timeout`.
set -euo pipefail
cd "$(dirname "$0")/../.."

screenshot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot="$2"; shift 2 ;;
    *) echo "check.sh: unknown argument $1 (only --screenshot <file.png>)" >&2; exit 2 ;;
  esac
done

silo_dll=src/Ockam.Silo/bin/Release/net10.0/Ockam.Silo.dll
[ -f "$silo_dll" ] || { echo "check.sh: build the silo first (dotnet build src/Ockam.Silo -c Release)" >&2; exit 1; }
browser=$(command -v chromium || true)
[ -n "$browser" ] || { echo "check.sh: Debian's chromium is needed (apt-get install chromium)" >&2; exit 1; }

work=$(mktemp -d /tmp/ockam-dashboard.XXXXXX)
silo_pid=""
finish() {
  [ -z "$silo_pid" ] || kill "$silo_pid" 2>/dev/null || true
  [ -z "$silo_pid" ] || wait "$silo_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT

# A port no socket uses, below Linux's ephemeral range (32768 up, by default): a port that nothing listens on may
# still be the local end of another process's connection, and then the silo cannot bind it.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))
    if [ -z "$(ss -Htan "sport = :$port")" ]; then echo "$port"; return; fi
  done
  echo "check.sh: no free port found" >&2
  exit 1
}
dashboard_port=$(free_port)
silo_port=$(free_port)

DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$silo_dll" --data "$work/data" --edge-port 0 --silo-port "$silo_port" \
  --telemetry None --dashboard "$dashboard_port" >"$work/silo.out" 2>"$work/silo.err" &
silo_pid=$!

# The banner comes once the silo has started; the dashboard answers from then on.
for _ in $(seq 1 120); do
  grep -q "^dashboard:" "$work/silo.out" && break
  kill -0 "$silo_pid" 2>/dev/null || { echo "check.sh: the silo exited: $(grep -m 3 -i "exception" "$work/silo.err" "$work/silo.out")" >&2; exit 1; }
  sleep 0.5
done
grep -q "^dashboard: *http://.*:$dashboard_port/" "$work/silo.out" \
  || { echo "check.sh: no dashboard line in the banner: $(cat "$work/silo.out")" >&2; exit 1; }

# The banner may come before the web server has bound its port (they start as separate hosted services): wait for it.
listeners=""
for _ in $(seq 1 60); do
  listeners=$(ss -Hltn "sport = :$dashboard_port" | awk '{print $4}')
  [ -z "$listeners" ] || break
  sleep 0.5
done
if [ "$listeners" != "127.0.0.1:$dashboard_port" ]; then
  echo "check.sh: the dashboard must listen on 127.0.0.1 only, it listens on: $listeners" >&2
  exit 1
fi

# Chromium refuses to run as root inside its sandbox; the page is our own, on loopback.
flags=(--headless --disable-gpu --hide-scrollbars --no-first-run --window-size=1400,1000 --virtual-time-budget=10000 --user-data-dir="$work/chromium")
[ "$(id -u)" -ne 0 ] || flags+=(--no-sandbox)
page="http://127.0.0.1:$dashboard_port/#/grains"

# The dashboard's counters fill within seconds of its first request: a few tries.
found=""
for _ in 1 2 3 4 5; do
  timeout 60 "$browser" "${flags[@]}" --dump-dom "$page" >"$work/dom.html" 2>/dev/null || true
  if grep -q "Ockam.Grains.Authority.AuthorityGrain" "$work/dom.html"; then found=yes; break; fi
  sleep 2
done
[ -n "$found" ] || { echo "check.sh: the dashboard's grains page does not list AuthorityGrain" >&2; exit 1; }
echo "check.sh: the dashboard on 127.0.0.1:$dashboard_port lists $(grep -o 'Ockam\.Grains\.[A-Za-z.]*' "$work/dom.html" | sort -u | tr '\n' ' ')"

if [ -n "$screenshot" ]; then
  timeout 60 "$browser" "${flags[@]}" --screenshot="$work/page.png" "$page" >/dev/null 2>&1 || true
  [ -s "$work/page.png" ] || { echo "check.sh: chromium made no screenshot" >&2; exit 1; }
  cp "$work/page.png" "$screenshot"
  echo "check.sh: screenshot saved to $screenshot"
fi
