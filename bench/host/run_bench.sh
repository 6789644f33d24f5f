#!/bin/sh
# Host-platform IPC benchmark: PPC and notification round trips between two
# PDs (deterministic mode, then free-running mode), beside the floor measured in the same run (a raw
# futex ping-pong between two plain processes), and the time to launch and
# run a 63-PD system. Usage: run_bench.sh RUNNER FLOOR PDS_DIR SRC_DIR
set -e
runner=$1 floor=$2 pds=$3 src=$4
floor_ns=$("$floor" 20000 | sed 's/.*: \([0-9]*\) ns/\1/')
out=$("$runner" "$src/ipc.system" --board host --search-path "$pds")
ppc_ns=$(echo "$out" | sed -n 's/.*ppc round trip: \([0-9]*\) ns/\1/p')
ntf_ns=$(echo "$out" | sed -n 's/.*notify round trip: \([0-9]*\) ns/\1/p')
free=$(MICROKIT_HOST_FLAGS=--free-running "$runner" "$src/ipc.system" --board host --search-path "$pds")
fppc_ns=$(echo "$free" | sed -n 's/.*ppc round trip: \([0-9]*\) ns/\1/p')
fntf_ns=$(echo "$free" | sed -n 's/.*notify round trip: \([0-9]*\) ns/\1/p')
start=$(date +%s%N)
"$runner" "$src/launch63.system" --board host --search-path "$pds" > /dev/null
end=$(date +%s%N)
echo "futex ping-pong floor:          $floor_ns ns"
echo "PPC round trip:                 $ppc_ns ns  (x$(awk "BEGIN{printf \"%.1f\", $ppc_ns/$floor_ns}") the floor)"
echo "notify round trip:              $ntf_ns ns  (x$(awk "BEGIN{printf \"%.1f\", $ntf_ns/$floor_ns}") the floor)"
echo "free-running PPC round trip:    $fppc_ns ns  (x$(awk "BEGIN{printf \"%.1f\", $fppc_ns/$floor_ns}") the floor)"
echo "free-running notify round trip: $fntf_ns ns  (x$(awk "BEGIN{printf \"%.1f\", $fntf_ns/$floor_ns}") the floor)"
echo "launch + run 63 PDs:            $(( (end - start) / 1000000 )) ms"
