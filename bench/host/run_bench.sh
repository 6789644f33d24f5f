#!/bin/sh
# Host-platform IPC benchmark: PPC and notification round trips between two
# PDs (deterministic mode, then free-running mode), beside the floor measured
# in the same run (a raw futex ping-pong between two plain processes), and
# the time to launch and run a 63-PD system. Each is measured REPEAT times
# (default 5), interleaved, and the smallest is kept: on a shared machine the
# other processes only ever add time. Usage: run_bench.sh RUNNER FLOOR PDS_DIR SRC_DIR
set -e
runner=$1 floor=$2 pds=$3 src=$4 repeat=${REPEAT:-5}
min() { if [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi; }
field() { echo "$1" | sed -n "s/.*$2: \([0-9]*\) ns/\1/p"; }
floor_ns= ppc_ns= ntf_ns= fppc_ns= fntf_ns= launch_ms=
i=0
while [ $i -lt "$repeat" ]; do
  i=$((i + 1))
  floor_ns=$(min "$floor_ns" "$("$floor" 20000 | sed 's/.*: \([0-9]*\) ns/\1/')")
  out=$("$runner" "$src/ipc.system" --board host --search-path "$pds")
  ppc_ns=$(min "$ppc_ns" "$(field "$out" "ppc round trip")")
  ntf_ns=$(min "$ntf_ns" "$(field "$out" "notify round trip")")
  free=$(MICROKIT_HOST_FLAGS=--free-running "$runner" "$src/ipc.system" --board host --search-path "$pds")
  fppc_ns=$(min "$fppc_ns" "$(field "$free" "ppc round trip")")
  fntf_ns=$(min "$fntf_ns" "$(field "$free" "notify round trip")")
  start=$(date +%s%N)
  "$runner" "$src/launch63.system" --board host --search-path "$pds" > /dev/null
  end=$(date +%s%N)
  launch_ms=$(min "$launch_ms" $(( (end - start) / 1000000 )))
done
ratio() { awk "BEGIN{printf \"%.1f\", $1/$floor_ns}"; }
echo "best of $repeat runs each"
echo "futex ping-pong floor:          $floor_ns ns"
echo "PPC round trip:                 $ppc_ns ns  (x$(ratio "$ppc_ns") the floor)"
echo "notify round trip:              $ntf_ns ns  (x$(ratio "$ntf_ns") the floor)"
echo "free-running PPC round trip:    $fppc_ns ns  (x$(ratio "$fppc_ns") the floor)"
echo "free-running notify round trip: $fntf_ns ns  (x$(ratio "$fntf_ns") the floor)"
echo "launch + run 63 PDs:            $launch_ms ms"
