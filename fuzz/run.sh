#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder with afl++ and SharpFuzz.
#   fuzz/run.sh SECONDS [HARNESS...]               each harness for SECONDS (all harnesses by default), as many at once as cores
#   fuzz/run.sh --executions N [HARNESS...]        each harness until about N executions (afl-fuzz -E), however long that takes
# Starts from the seed corpus in fuzz/corpus/<harness>/, works in fuzz/out/ (not kept), and prints, per harness,
# executions, executions per second, paths found, crashes and hangs. Every crashing or hanging input is copied to
# fuzz/findings/<harness>/: replay one with `dotnet run -c Release --project fuzz/Ockam.Fuzz -- replay <harness> <file>`, fix the
# decoder, and keep the input beside the corpus as a regression (fuzz/corpus/<harness>/regression-*), which the default
# test run replays. Exits non-zero when anything crashed or hung.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: fuzz/run.sh SECONDS [HARNESS...] | fuzz/run.sh --executions N [HARNESS...]"
if [ "${1:-}" = --executions ]; then
  limit=(-E "${2:?$usage}")
  shift 2
else
  limit=(-V "${1:?$usage}")
  shift
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "fuzz/run.sh: installing afl++ from Debian's packages"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq afl++ >/dev/null
fi
tools="$HOME/.dotnet/tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

out=fuzz/out
rm -rf "$out"
mkdir -p "$out"
dotnet publish fuzz/Ockam.Fuzz -c Release -o "$out/bin" -v q --nologo >/dev/null
# Listed before instrumenting: instrumented code runs only under afl-fuzz.
if [ $# -gt 0 ]; then harnesses=("$@"); else mapfile -t harnesses < <(dotnet "$out/bin/Ockam.Fuzz.dll" list | cut -f1); fi
# Only the project's own assemblies are instrumented: coverage of the runtime and packages would only dilute the map.
for assembly in Ockam.Identity Ockam.Messaging; do
  "$tools/sharpfuzz" "$out/bin/$assembly.dll" >/dev/null
done

# afl++ would refuse a .NET target (no instrumentation it can see in `dotnet`), a core pattern that pipes crashes
# elsewhere, and CPUs it cannot pin (other work may run here): none of which matters for these runs.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
run_one() {
  local name=$1
  # -t: a .NET process's first input includes its start-up; -m none: the runtime reserves far more than it uses.
  afl-fuzz -i "fuzz/corpus/$name" -o "$out/$name" -t 10000+ -m none "${limit[@]}" -- \
    dotnet "$out/bin/Ockam.Fuzz.dll" fuzz "$name" >"$out/$name.log" 2>&1 || echo "afl-fuzz for $name stopped: see $out/$name.log" >&2
}

cores=$(nproc)
running=0
for name in "${harnesses[@]}"; do
  run_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$cores" ]; then wait -n; running=$((running - 1)); fi
done
wait

stat() { sed -n "s/^$2 *: *//p" "$out/$1/default/fuzzer_stats" 2>/dev/null | head -n 1; }
found=0
printf '%-22s %12s %10s %8s %8s %6s\n' harness executions "per s" paths crashes hangs
for name in "${harnesses[@]}"; do
  crashes=$(stat "$name" saved_crashes); hangs=$(stat "$name" saved_hangs)
  printf '%-22s %12s %10s %8s %8s %6s\n' "$name" "$(stat "$name" execs_done)" "$(stat "$name" execs_per_sec)" \
    "$(stat "$name" corpus_count)" "${crashes:-?}" "${hangs:-?}"
  for kind in crashes hangs; do
    for input in "$out/$name/default/$kind"/id:*; do
      [ -e "$input" ] || continue
      mkdir -p "fuzz/findings/$name"
      cp "$input" "fuzz/findings/$name/$kind-$(sha256sum "$input" | cut -c1-16)"
      found=1
    done
  done
done
[ "$found" -eq 0 ] || { echo "fuzz/run.sh: inputs that crashed or hung are in fuzz/findings/" >&2; exit 1; }
