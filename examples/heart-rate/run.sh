#!/usr/bin/env bash
# The heart-rate story on one machine, with the real silo and the real `ockam` tool:
#   a silo; an admin who enrols a phone and a monitor; the phone listens on its relay; the monitor sends
#   readings end to end through the silo, live over a channel while the phone is up. A third of the way, the
#   phone's process is killed (kill -9: no goodbye, nothing in memory survives); the monitor finds it offline
#   and seals each reading to the phone's identity instead, and they wait in the relay's mailbox as ciphertext.
#   A new phone process of the same node home reads every one of them, in order, once; the rest go live again.
#   Finally the script checks the silo's store holds no reading in the clear.
set -euo pipefail
cd "$(dirname "$0")/../.."

readings=${READINGS:-30}
work=$(mktemp -d /tmp/ockam-heart-rate.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== building"
dotnet build --configuration Release src/Ockam.Silo >/dev/null
dotnet build --configuration Release src/Ockam.Cli >/dev/null
ockam() { dotnet src/Ockam.Cli/bin/Release/net10.0/ockam.dll "$@"; }
json() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/"; }

echo "== starting a silo (data in $work/silo)"
dotnet src/Ockam.Silo/bin/Release/net10.0/Ockam.Silo.dll --data "$work/silo" --edge-port 4100 --silo-port 11190 --gateway-port 30090 \
  --telemetry None --Ockam:Transport:KeepAliveInterval 00:00:01 --Ockam:Transport:IdleTimeout 00:00:04 >"$work/silo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "admin enrolment ticket" "$work/silo.log" && break; sleep 0.5; done
silo_id=$(grep "silo identity:" "$work/silo.log" | awk '{print $3}')
admin_ticket=$(grep "admin enrolment ticket" "$work/silo.log" | awk '{print $NF}')
echo "   silo $silo_id"

# Enrolment tickets carry the silo's address, its identifier (pinned by the node) and a one-time token.
ockam --home "$work/admin" enroll "$admin_ticket" >/dev/null
ockam --home "$work/phone" enroll "$(ockam --home "$work/admin" token create -a ockam.role=phone -a ockam.relay=phone --json | json ticket)" >/dev/null
ockam --home "$work/monitor" enroll "$(ockam --home "$work/admin" token create -a ockam.role=monitor --json | json ticket)" >/dev/null
echo "== phone and monitor enrolled"

third=$((readings / 3))
# exec: the background job's pid is then the phone's own process, the one to kill.
listen() { exec dotnet src/Ockam.Cli/bin/Release/net10.0/ockam.dll --home "$work/phone" listen --relay phone --peer-policy '(= subject.ockam.role "monitor")' --count "$1"; }
# Live: one monitor process streams a reading a second over its channel to the phone.
stream() {
  for i in $(seq "$1" "$2"); do echo "reading $i: bpm=$((60 + RANDOM % 40))"; sleep 1; done |
    ockam --home "$work/monitor" send --to phone --peer-policy '(= subject.ockam.role "phone")' - >/dev/null
}

listen "$readings" >"$work/phone-1.log" &
phone=$!
pids+=($phone)
sleep 3
echo "== monitor sends readings 1-$third live, one a second"
stream 1 "$third"
for _ in $(seq 1 50); do [ "$(grep -c '^reading' "$work/phone-1.log" || true)" -ge "$third" ] && break; sleep 0.2; done

echo "== the phone's process is killed"
kill -9 "$phone"
wait "$phone" 2>/dev/null || true
echo "== monitor sends readings $((third + 1))-$((2 * third)), one process each: the phone is offline, so each is sealed to it"
for i in $(seq $((third + 1)) $((2 * third))); do
  ockam --home "$work/monitor" send --to phone --peer-policy '(= subject.ockam.role "phone")' --json "reading $i: bpm=$((60 + RANDOM % 40))" |
    grep -Eq '"sealed": *"True"' || { echo "FAILED: reading $i was not sealed for the offline phone" >&2; exit 1; }
done

echo "== a new phone process of the same home starts"
listen $((readings - third)) >"$work/phone-2.log" &
phone=$!
pids+=($phone)
sleep 3
echo "== monitor sends readings $((2 * third + 1))-$readings live"
stream $((2 * third + 1)) "$readings"
wait "$phone" || true
cat "$work/phone-1.log" "$work/phone-2.log" >"$work/phone.log"

echo "== what the phone printed"
cat "$work/phone.log"

expected=$(seq 1 "$readings" | sed 's/^/reading /')
got=$(grep -o '^reading [0-9]*' "$work/phone.log" || true)
if [ "$got" != "$expected" ]; then echo "FAILED: the phone did not get every reading in order" >&2; exit 1; fi
if grep -raq "bpm=" "$work/silo"; then echo "FAILED: a reading is readable in the silo's store" >&2; exit 1; fi
echo "== all $readings readings arrived in order; the silo's store holds none of them in the clear"
