#!/bin/sh
# Host-platform IPC benchmark: PPC and notification round trips between two
# PDs (deterministic mode with direct hand-offs, deterministic mode through
# the launcher only (--no-direct), free-running mode), beside the floor
# measured in the same run (a raw futex ping-pong between two plain
# processes), and the time to launch and run a 63-PD system (wall, and CPU
# of all its processes). Each is measured REPEAT times (default 5),
# interleaved, and the smallest is kept: on a shared machine the other
# processes only ever add time. Usage: run_bench.sh RUNNER FLOOR PDS_DIR SRC_DIR
set -e
runner=$1 floor=$2 pds=$3 src=$4 repeat=${REPEAT:-5}
min() { if [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi; }
field() { echo "$1" | sed -n "s/.*$2: \([0-9]*\) ns/\1/p"; }
ipc() { MICROKIT_HOST_FLAGS="$1" "$runner" "$src/ipc.system" --board host --search-path "$pds"; }
# CPU time (user + system) of this shell's finished children, in ms: the
# second line of `times`, which must run in this shell itself (in a pipe or
# $(...) it would count the children of a subshell).
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
save_children_cpu() { times > "$times_file"; }
saved_cpu_ms() {
  sed -n 2p "$times_file" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d", t * 1000 }'
}
floor_ns= ppc_ns= ntf_ns= lppc_ns= lntf_ns= fppc_ns= fntf_ns= launch_ms= launch_cpu_ms=
i=0
while [ $i -lt "$repeat" ]; do
  i=$((i + 1))
  floor_ns=$(min "$floor_ns" "$("$floor" 20000 | sed 's/.*: \([0-9]*\) ns/\1/')")
  out=$(ipc "")
  ppc_ns=$(min "$ppc_ns" "$(field "$out" "ppc round trip")")
  ntf_ns=$(min "$ntf_ns" "$(field "$out" "notify round trip")")
  out=$(ipc --no-direct)
  lppc_ns=$(min "$lppc_ns" "$(field "$out" "ppc round trip")")
  lntf_ns=$(min "$lntf_ns" "$(field "$out" "notify round trip")")
  out=$(ipc --free-running)
  fppc_ns=$(min "$fppc_ns" "$(field "$out" "ppc round trip")")
  fntf_ns=$(min "$fntf_ns" "$(field "$out" "notify round trip")")
  save_children_cpu
  cpu0=$(saved_cpu_ms)
  start=$(date +%s%N)
  "$runner" "$src/launch63.system" --board host --search-path "$pds" > /dev/null
  end=$(date +%s%N)
  save_children_cpu
  cpu1=$(saved_cpu_ms)
  launch_ms=$(min "$launch_ms" $(( (end - start) / 1000000 )))
  launch_cpu_ms=$(min "$launch_cpu_ms" $(( cpu1 - cpu0 )))
done
ratio() { awk "BEGIN{printf \"%.1f\", $1/$floor_ns}"; }
echo "best of $repeat runs each"
echo "futex ping-pong floor:              $floor_ns ns"
echo "PPC round trip:                     $ppc_ns ns  (x$(ratio "$ppc_ns") the floor)"
echo "notify round trip:                  $ntf_ns ns  (x$(ratio "$ntf_ns") the floor)"
echo "PPC round trip, --no-direct:        $lppc_ns ns  (x$(ratio "$lppc_ns") the floor)"
echo "notify round trip, --no-direct:     $lntf_ns ns  (x$(ratio "$lntf_ns") the floor)"
echo "free-running PPC round trip:        $fppc_ns ns  (x$(ratio "$fppc_ns") the floor)"
echo "free-running notify round trip:     $fntf_ns ns  (x$(ratio "$fntf_ns") the floor)"
echo "launch + run 63 PDs:                $launch_ms ms wall, $launch_cpu_ms ms CPU"
