#!/usr/bin/env bash
# Measures the vault's primitives and the secure channel with BenchmarkDotNet, and OpenSSL's own
# figures for the same primitives in the same run, then prints each figure beside its reference as a
# ratio (ours / OpenSSL's time per operation: 1.0 = as fast as OpenSSL, 2.0 = twice as slow).
#   bench/run.sh            (BENCH_JOB=default for BenchmarkDotNet's full runs; short by default)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/ockam-bench.XXXXXX)
job=${BENCH_JOB:-short}

echo "== openssl speed (reference), $(openssl version)"
openssl speed -seconds 3 -evp aes-256-gcm -bytes 1024 2>/dev/null >"$out/aes.txt"
openssl speed -seconds 3 ecdhx25519 2>/dev/null >"$out/x25519.txt"
openssl speed -seconds 3 ed25519 2>/dev/null >"$out/ed25519.txt"
# ns per operation from OpenSSL's tables.
aes_ns=$(awk '/^AES-256-GCM/ { v=$NF; sub(/k$/, "", v); printf "%.1f", 1e9 / (v * 1000 / 1024) }' "$out/aes.txt")
x25519_ns=$(awk '/X25519/ { printf "%.1f", 1e9 / $NF }' "$out/x25519.txt")
sign_ns=$(awk '/Ed25519/ { printf "%.1f", 1e9 / $(NF-1) }' "$out/ed25519.txt")
verify_ns=$(awk '/Ed25519/ { printf "%.1f", 1e9 / $NF }' "$out/ed25519.txt")

echo "== BenchmarkDotNet (job: $job)"
dotnet run --configuration Release --project bench/Ockam.Bench -- --filter '*' --job "$job" --exporters csv \
  --artifacts "$out/bdn" >"$out/bdn.log" 2>&1 || { tail -30 "$out/bdn.log"; exit 1; }

# Mean per benchmark, in ns, from the markdown reports ("| Method | 1,234.5 ns |", units ns, us/μs, ms, s).
cat "$out"/bdn/results/*-report-github.md | awk -F'|' '
  /\| *Method *\|/ { for (i = 1; i <= NF; i++) { h = $i; gsub(/ /, "", h); if (h == "Method") m = i; if (h == "Mean") c = i }; next }
  m && c && $c ~ /[0-9] *(ns|us|μs|ms|s) *$/ { name = $m; gsub(/^ +| +$/, "", name); split($c, p, " "); v = p[1]; gsub(",", "", v); u = p[2]
    f = (u == "us" || u == "μs") ? 1e3 : (u == "ms") ? 1e6 : (u == "s") ? 1e9 : 1
    printf "%s\t%.1f\n", name, v * f }' >"$out/ours.tsv"
ours() { awk -F'\t' -v name="$1" '$1 == name { print $2 }' "$out/ours.tsv"; }

printf '\n%-34s %14s %14s %8s\n' "operation" "Ockam (ns)" "OpenSSL (ns)" "ratio"
row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { if (b == "" || a == "") printf "%-34s %14s %14s %8s\n", n, a, b, "-"; else printf "%-34s %14.1f %14.1f %8.2f\n", n, a, b, a / b }'; }
row "aes-256-gcm seal 1 KiB" "$(ours AesGcmSeal1KiB)" "$aes_ns"
row "x25519 (dh)" "$(ours X25519)" "$x25519_ns"
row "ed25519 sign" "$(ours Ed25519Sign)" "$sign_ns"
row "ed25519 verify" "$(ours Ed25519Verify)" "$verify_ns"
row "noise xx handshake (both sides)" "$(ours Handshake)" ""
row "hpke seal 32 bytes (base)" "$(ours HpkeSeal)" ""
echo
echo "(raw results in $out)"
