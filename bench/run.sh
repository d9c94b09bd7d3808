#!/usr/bin/env bash
# Measures the vault's primitives and the secure channel with BenchmarkDotNet, and OpenSSL's own
# figures for the same primitives in the same run, then prints each figure beside its reference as a
# ratio (ours / OpenSSL's time per operation: 1.0 = as fast as OpenSSL, 2.0 = twice as slow).
# Then the load tool (bench/Ockam.Load): edge nodes over loopback to a silo, beside Debian's Mosquitto at QoS 1 in
# the same run (installed if missing, a throwaway broker on a free loopback port); all of it goes to bench/RESULTS.md.
#   bench/run.sh            (BENCH_JOB=default for BenchmarkDotNet's full runs; short by default; load at full sizes)
#   bench/run.sh --quick    (under 10 minutes on 2 cores: OpenSSL and our primitives briefly, the load tool's quick sizes)
#   bench/run.sh --long     (the load tool's long sizes too: 100 000 queued)
#   bench/run.sh mls        (only the MLS room benchmarks, beside their OpenSSL floors; about 10 minutes)
#   bench/run.sh load       (only the load tool and Mosquitto; with --quick or --long as above)
#   bench/run.sh primitives (only the vault's primitives beside OpenSSL's; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/ockam-bench.XXXXXX)
job=${BENCH_JOB:-short}
what=all
mode=default
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --long) mode=long ;;
    all|mls|load|primitives) what=$arg ;;
    *) echo "usage: bench/run.sh [--quick|--long] [all|mls|load|primitives]" >&2; exit 2 ;;
  esac
done
case "$what" in
  all) filter='*' ;;
  mls) filter='*Mls*' ;;
  load) filter='' ;;
  primitives) filter='*PrimitiveBenchmarks* *IdentityHandshakeBenchmarks*' ;;
esac
seconds=3
if [ "$what" != mls ] && [ "$mode" = quick ]; then
  # The primitives and the identity handshake only: the MLS and channel benchmarks alone take longer than the whole
  # quick budget.
  filter='*PrimitiveBenchmarks* *IdentityHandshakeBenchmarks*'
  seconds=1
fi
started=$(date -u +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# What else runs here (the machine may be shared): processes averaging 5 % CPU or more over their life, at the start.
others=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 5 && $2 != "ps" { n++; s = s sprintf("%s%s %.0f%%", (n > 1 ? ", " : ""), $2, $1) } END { print (n ? n " (" s ")" : "none") }')

# The load tool beside Mosquitto: installs Debian's mosquitto if missing, starts a throwaway broker (persistence on,
# for the offline case) on a free loopback port, runs bench/Ockam.Load, and writes bench/RESULTS.md.
run_load() {
  if ! command -v mosquitto >/dev/null || ! command -v mosquitto_pub >/dev/null; then
    echo "== installing mosquitto and mosquitto-clients (Debian)"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >"$out/apt.log" 2>&1 || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients >>"$out/apt.log" 2>&1 \
      || { tail -20 "$out/apt.log"; echo "could not install mosquitto" >&2; exit 1; }
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$out/mosquitto"
  cat >"$out/mosquitto.conf" <<CONF
listener $port 127.0.0.1
# This user: started by root, Mosquitto would become its own, who cannot write in this run's private directory.
user $(id -un)
allow_anonymous true
persistence true
persistence_location $out/mosquitto/
max_queued_messages 1000000
max_queued_bytes 0
log_dest file $out/mosquitto/mosquitto.log
CONF
  mosquitto -c "$out/mosquitto.conf" &
  broker=$!
  trap 'kill $broker 2>/dev/null || true' EXIT
  for _ in $(seq 50); do mosquitto_pub -h 127.0.0.1 -p "$port" -t ready -m 1 -q 1 2>/dev/null && break; sleep 0.2; done

  echo "== load tool (mode: $mode), Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{ print $3 }') on 127.0.0.1:$port, $(uptime)"
  local load_started
  load_started=$(date -u +%s)
  # Enrolling devices and fan-out's subscribers keep their homes on a tmpfs where there is one: thousands of simulated
  # devices flushing their files queue on this one disk, where a fleet's devices each flush their own (the silo's
  # database stays in $out).
  device_homes=()
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    homes_dir=$(mktemp -d /dev/shm/ockam-load.XXXXXX)
    device_homes=(--device-homes "$homes_dir")
    trap 'kill $broker 2>/dev/null || true; rm -rf "$homes_dir"' EXIT
  fi
  dotnet bench/Ockam.Load/bin/Release/net10.0/Ockam.Load.dll --mode "$mode" --mqtt-port "$port" --mqtt-pid "$broker" --report "$out/load.md" --work "$out/load" ${device_homes[@]+"${device_homes[@]}"} \
    | tee "$out/load.log" | grep --line-buffered -v '^\S.*: [0-9]*%$' || true
  [ -s "$out/load.md" ] || { echo "the load tool wrote no figures; see $out/load.log" >&2; exit 1; }
  kill $broker 2>/dev/null || true

  {
    echo "# Benchmark results"
    echo
    echo "Written by \`bench/run.sh$([ "$mode" = default ] || echo " --$mode")\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Machine: $(nproc) cores,"
    echo "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;"
    echo ".NET $(dotnet --version), Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{ print $3 }'), $(openssl version | cut -d' ' -f1-2)."
    echo "Load average before the run $load_before, after the load tool $(cut -d' ' -f1-3 /proc/loadavg); the load tool took $(( $(date -u +%s) - load_started )) s."
    echo "Other processes averaging 5 % CPU or more over their life when the run began: $others."
    echo
    echo "Everything on loopback: client and silo (or broker) share the same cores. The silo is a child process of its own"
    echo "(SQLite storage, a fresh data directory per scenario) so that its CPU time is its own; per-channel request rates are"
    echo "lifted for the monitors here. The silo's data directory is on $(df -T "$out" | awk 'NR == 2 { print $2 }'); enrolling devices and fan-out's"
    echo "subscribers keep their homes on $([ ${#device_homes[@]} -gt 0 ] && echo "a tmpfs, standing for each device's own storage" || echo "the same file system, no tmpfs being here")."
    echo "Mosquitto runs with persistence on, QoS 1, through MQTTnet in the same tool, with the"
    echo "same readings (256 B), the same window of readings outstanding and the same publication pattern. Its persistence"
    echo "is a snapshot (autosave), not a write per message: its offline figures are for messages held in memory."
    echo "Ratio: ours ÷ Mosquitto's for rates, Mosquitto's ÷ ours for times — above 1 is better than Mosquitto."
    echo
    echo "## Load: edge nodes through the silo, beside Mosquitto QoS 1"
    echo
    cat "$out/load.md"
  } >bench/RESULTS.md
}

# The load tool (and the silo it starts) built first: BenchmarkDotNet's own build would otherwise make it rebuild.
if [ "$what" = all ] || [ "$what" = load ]; then
  echo "== building the load tool and the silo"
  dotnet build bench/Ockam.Load -c Release -v q -nologo >"$out/load-build.log" 2>&1 || { tail -30 "$out/load-build.log"; exit 1; }
  # The connections shape weighs the silo's live heap with a heap dump, and holds thousands of connections open.
  [ -x "$HOME/.dotnet/tools/dotnet-gcdump" ] || command -v dotnet-gcdump >/dev/null \
    || dotnet tool install -g dotnet-gcdump --version 10.0.750501 >"$out/gcdump-install.log" 2>&1 || echo "(dotnet-gcdump not installed: no heap figure)"
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 16384 ]; then ulimit -n 16384 2>/dev/null || true; fi
fi

if [ "$what" = load ]; then
  run_load
  echo "== whole run: $(( $(date -u +%s) - started )) s"
  echo "(raw results in $out; bench/RESULTS.md written)"
  exit 0
fi

echo "== openssl speed (reference), $(openssl version)"
openssl speed -seconds $seconds -evp aes-256-gcm -bytes 1024 2>/dev/null >"$out/aes.txt"
openssl speed -seconds $seconds ecdhx25519 2>/dev/null >"$out/x25519.txt"
openssl speed -seconds $seconds ed25519 2>/dev/null >"$out/ed25519.txt"
# ns per operation from OpenSSL's tables.
aes_ns=$(awk '/^AES-256-GCM/ { v=$NF; sub(/k$/, "", v); printf "%.1f", 1e9 / (v * 1000 / 1024) }' "$out/aes.txt")
x25519_ns=$(awk '/X25519/ { printf "%.1f", 1e9 / $NF }' "$out/x25519.txt")
sign_ns=$(awk '/Ed25519/ { printf "%.1f", 1e9 / $(NF-1) }' "$out/ed25519.txt")
verify_ns=$(awk '/Ed25519/ { printf "%.1f", 1e9 / $NF }' "$out/ed25519.txt")

mkdir -p "$out/bdn/results"
if [ -n "$filter" ]; then
  echo "== BenchmarkDotNet (job: $job, filter: $filter), $(uptime)"
  # BenchmarkDotNet's own build of its boilerplate gives up after 2 minutes by default, which a shared machine can exceed.
  # $filter is a list of patterns, split here and not expanded against this directory's files.
  set -f
  dotnet run --configuration Release --project bench/Ockam.Bench -- --filter $filter --job "$job" --exporters csv --buildTimeout 900 \
    --artifacts "$out/bdn" >"$out/bdn.log" 2>&1 || { tail -30 "$out/bdn.log"; exit 1; }
  set +f
else
  touch "$out/bdn.log"
fi

# Mean per benchmark, in ns, from the markdown reports ("| Method | 1,234.5 ns |", units ns, us/μs, ms, s).
{ cat "$out"/bdn/results/*-report-github.md 2>/dev/null || true; } | awk -F'|' '
  /\| *Method *\|/ { for (i = 1; i <= NF; i++) { h = $i; gsub(/ /, "", h); if (h == "Method") m = i; if (h == "Mean") c = i }; next }
  m && c && $c ~ /[0-9] *(ns|us|μs|ms|s) *$/ { name = $m; gsub(/^ +| +$/, "", name); split($c, p, " "); v = p[1]; gsub(",", "", v); u = p[2]
    f = (u == "us" || u == "μs") ? 1e3 : (u == "ms") ? 1e6 : (u == "s") ? 1e9 : 1
    printf "%s\t%.1f\n", name, v * f }' >"$out/ours.tsv"
ours() { awk -F'\t' -v name="$1" '$1 == name { print $2 }' "$out/ours.tsv"; }

exec 3>&1 >"$out/crypto.txt"
printf '\n%-34s %14s %14s %8s\n' "operation" "Ockam (ns)" "OpenSSL (ns)" "ratio"
row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { if (b == "" || a == "") printf "%-34s %14s %14s %8s\n", n, a, b, "-"; else printf "%-34s %14.1f %14.1f %8.2f\n", n, a, b, a / b }'; }
# Curve25519 through a vault of each provider (libsodium is the default); AES-GCM through the vault and through
# .NET's AesGcm alone (the same cipher either way): the difference is what the vault adds.
row "aes-256-gcm seal 1 KiB (vault)" "$(ours AesGcmSeal1KiB)" "$aes_ns"
row "aes-256-gcm seal 1 KiB (AesGcm alone)" "$(ours AesGcmAlone1KiB)" "$aes_ns"
row "x25519 (dh), libsodium" "$(ours X25519Libsodium)" "$x25519_ns"
row "x25519 (dh), bouncycastle" "$(ours X25519BouncyCastle)" "$x25519_ns"
row "ed25519 sign, libsodium" "$(ours Ed25519SignLibsodium)" "$sign_ns"
row "ed25519 sign, bouncycastle" "$(ours Ed25519SignBouncyCastle)" "$sign_ns"
row "ed25519 verify, libsodium" "$(ours Ed25519VerifyLibsodium)" "$verify_ns"
row "ed25519 verify, bouncycastle" "$(ours Ed25519VerifyBouncyCastle)" "$verify_ns"
row "ed25519 verify, remembered" "$(ours Ed25519VerifyRemembered)" "$verify_ns"
row "noise xx handshake (both sides)" "$(ours Handshake)" ""
# The whole channel as a reconnecting member makes one with the silo (bench/Ockam.Bench/IdentityHandshakeBenchmarks.cs):
# its bound is the public-key work it cannot avoid, priced at OpenSSL's figures of this run: 8 X25519 (4 a side) and
# 6 Ed25519 verifications. Issue 14's goal: ratio <= 1.25 (at least 0.8 x the bound's handshakes per core).
bound_ns=$(awk -v x="$x25519_ns" -v v="$verify_ns" 'BEGIN { if (x != "" && v != "") printf "%.1f", 8 * x + 6 * v }')
row "channel + identities + credential" "$(ours IdentityHandshake)" "$bound_ns"
handshake_cpu=$(grep -ho 'HANDSHAKE-CPU ns=[0-9]*' "$out/bdn.log" | tail -1 | cut -d= -f2)
# Process CPU time per handshake (both sides): more than the time above, since a worker that finishes a hop spins a
# while for more work, on the other core, before it sleeps (in a busy gateway there is always more work).
row "  the same, process CPU time" "$handshake_cpu" "$bound_ns"
row "hpke seal 32 bytes (base)" "$(ours HpkeSeal)" ""
awk -v a="$(ours AesGcmSeal1KiB)" -v b="$(ours AesGcmAlone1KiB)" 'BEGIN { if (a != "" && b != "") printf "%-34s %14s %14s %8.2f\n", "aes-gcm 1 KiB: vault / alone", "", "", a / b }'

# MLS rooms (bench/Ockam.Bench/Mls): ours beside the floor of the public-key work each operation cannot avoid, from
# OpenSSL's figures of this run. Remove with its UpdatePath: the path is ceil(log2 n) nodes, each an HPKE seal to
# (at least) one node = 2 X25519 operations (encap: ephemeral keygen + DH). Welcome join: the joiner verifies every
# leaf's signature, n Ed25519 verifications. Add-only commits have no public-key floor that grows with n.
{ cat "$out"/bdn/results/*Mls*-report-github.md 2>/dev/null || true; } | awk -F'|' '
  { gsub(/\*/, "") }
  /\| *Method *\|/ { m = s = c = 0; for (i = 1; i <= NF; i++) { h = $i; gsub(/ /, "", h); if (h == "Method") m = i; if (h == "Members") s = i; if (h == "Mean") c = i }; next }
  m && s && c && $c ~ /[0-9] *(ns|us|μs|ms|s) *$/ { name = $m; gsub(/^ +| +$/, "", name); n = $s; gsub(/[ ,]/, "", n); split($c, p, " "); v = p[1]; gsub(",", "", v); u = p[2]
    f = (u == "us" || u == "μs") ? 1e3 : (u == "ms") ? 1e6 : (u == "s") ? 1e9 : 1
    printf "%s\t%s\t%.1f\n", name, n, v * f }' >"$out/mls.tsv"
if [ -s "$out/mls.tsv" ]; then
  mls() { awk -F'\t' -v name="$1" -v n="$2" '$1 == name && $2 == n { print $3 }' "$out/mls.tsv"; }
  size() { grep -ho "MLS-SIZES members=$1 .*" "$out/bdn.log" | head -1 | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
  printf '\n%-8s %-42s %12s %12s %8s %10s\n' "members" "MLS operation" "Ockam (ms)" "floor (ms)" "ratio" "goal (ms)"
  mrow() { awk -v m="$1" -v o="$2" -v a="$3" -v b="$4" -v g="$5" 'BEGIN {
    ms = (a == "") ? "-" : sprintf("%.3f", a / 1e6); fl = (b == "") ? "-" : sprintf("%.3f", b / 1e6)
    r = (a == "" || b == "") ? "-" : sprintf("%.2f", a / b)
    ok = (g == "" || a == "") ? "" : (a / 1e6 < g ? " met" : " MISSED")
    printf "%-8s %-42s %12s %12s %8s %10s%s\n", m, o, ms, fl, r, (g == "" ? "-" : g), ok }'; }
  for n in 10 100 1000 10000; do
    [ -n "$(awk -F'\t' -v n=$n '$2 == n' "$out/mls.tsv")" ] || continue
    depth=$(awk -v n=$n 'BEGIN { d = 0; while (2 ^ d < n) d++; print d }')
    path_floor=$(awk -v d="$depth" -v x="$x25519_ns" 'BEGIN { printf "%.1f", d * 2 * x }')
    join_floor=$(awk -v n=$n -v v="$verify_ns" 'BEGIN { printf "%.1f", n * v }')
    mrow $n "add-only commit: create (tree in Welcome)" "$(mls AddCommit $n)" "" 5
    mrow $n "add-only commit: create (tree out of band)" "$(mls AddCommitTreeOutOfBand $n)" "" 5
    mrow $n "add-only commit: process" "$(mls ProcessAddCommit $n)" "" 5
    mrow $n "remove + UpdatePath ($depth nodes): create" "$(mls RemoveCommit $n)" "$path_floor" "$([ $n = 10000 ] && echo 20)"
    mrow $n "remove + UpdatePath ($depth nodes): process" "$(mls ProcessRemoveCommit $n)" "$path_floor" "$([ $n = 10000 ] && echo 20)"
    mrow $n "join from Welcome (tree in GroupInfo)" "$(mls JoinFromWelcome $n)" "$join_floor" "$([ $n = 10000 ] && echo 1500)"
  done
  printf '\n%-8s %14s %18s %21s %14s %14s\n' "members" "add commit (B)" "Welcome+tree (B)" "Welcome, no tree (B)" "tree (B)" "remove (B)"
  for n in 10 100 1000 10000; do
    [ -n "$(size $n add_commit)" ] || continue
    printf '%-8s %14s %18s %21s %14s %14s\n' $n "$(size $n add_commit)" "$(size $n welcome_with_tree)" "$(size $n welcome_without_tree)" "$(size $n ratchet_tree)" "$(size $n remove_commit)"
  done
fi
exec >&3 3>&-
cat "$out/crypto.txt"
[ "$what" = mls ] || [ "$what" = primitives ] && { echo; echo "(raw results in $out)"; exit 0; }

run_load
if [ "$what" = all ]; then
  # The same machine, the same run: the crypto figures beside OpenSSL's join the load figures in RESULTS.md.
  {
    echo
    echo "## Primitives beside OpenSSL (same run)"
    echo
    [ -n "$filter" ] && echo "BenchmarkDotNet job \`$job\`, filter \`$filter\`; OpenSSL \`speed -seconds $seconds\`. Ratio: our time per operation ÷ OpenSSL's (1.0 = as fast)."
    echo
    echo '```'
    sed '/^$/d' "$out/crypto.txt"
    echo '```'
  } >>bench/RESULTS.md
fi
echo "== whole run: $(( $(date -u +%s) - started )) s; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(raw results in $out; bench/RESULTS.md written)"
