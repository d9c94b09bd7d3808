#!/usr/bin/env bash
# Measures the vault's primitives and the secure channel with BenchmarkDotNet, and OpenSSL's own
# figures for the same primitives in the same run, then prints each figure beside its reference as a
# ratio (ours / OpenSSL's time per operation: 1.0 = as fast as OpenSSL, 2.0 = twice as slow).
#   bench/run.sh            (BENCH_JOB=default for BenchmarkDotNet's full runs; short by default)
#   bench/run.sh mls        (only the MLS room benchmarks, beside their OpenSSL floors; about 10 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/ockam-bench.XXXXXX)
job=${BENCH_JOB:-short}
what=${1:-all}
case "$what" in
  all) filter='*' ;;
  mls) filter='*Mls*' ;;
  *) echo "usage: bench/run.sh [all|mls]" >&2; exit 2 ;;
esac

echo "== openssl speed (reference), $(openssl version)"
openssl speed -seconds 3 -evp aes-256-gcm -bytes 1024 2>/dev/null >"$out/aes.txt"
openssl speed -seconds 3 ecdhx25519 2>/dev/null >"$out/x25519.txt"
openssl speed -seconds 3 ed25519 2>/dev/null >"$out/ed25519.txt"
# ns per operation from OpenSSL's tables.
aes_ns=$(awk '/^AES-256-GCM/ { v=$NF; sub(/k$/, "", v); printf "%.1f", 1e9 / (v * 1000 / 1024) }' "$out/aes.txt")
x25519_ns=$(awk '/X25519/ { printf "%.1f", 1e9 / $NF }' "$out/x25519.txt")
sign_ns=$(awk '/Ed25519/ { printf "%.1f", 1e9 / $(NF-1) }' "$out/ed25519.txt")
verify_ns=$(awk '/Ed25519/ { printf "%.1f", 1e9 / $NF }' "$out/ed25519.txt")

echo "== BenchmarkDotNet (job: $job, filter: $filter), $(uptime)"
dotnet run --configuration Release --project bench/Ockam.Bench -- --filter "$filter" --job "$job" --exporters csv \
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

# MLS rooms (bench/Ockam.Bench/Mls): ours beside the floor of the public-key work each operation cannot avoid, from
# OpenSSL's figures of this run. Remove with its UpdatePath: the path is ceil(log2 n) nodes, each an HPKE seal to
# (at least) one node = 2 X25519 operations (encap: ephemeral keygen + DH). Welcome join: the joiner verifies every
# leaf's signature, n Ed25519 verifications. Add-only commits have no public-key floor that grows with n.
cat "$out"/bdn/results/*Mls*-report-github.md 2>/dev/null | awk -F'|' '
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
echo
echo "(raw results in $out)"
