#!/bin/sh
# The event timeline's and the profiler's cost on the host platform's IPC
# benchmark (docs/tracing.md, docs/profiling.md): the same ipc.system run
# plain, traced (bench_pd linked against the trace library, --trace) and
# profiled (<profiler frequency="1000">), ROUNDS times in turn so that the
# machine's load hits all three alike; prints the median round trips and
# the ratios to plain. A benchmark: it asserts nothing.
# Usage: run_see_bench.sh RUNNER PDS_DIR TRACE_PDS_DIR SRC_DIR [ROUNDS]
set -e
runner=$1 pds=$2 tpds=$3 src=$4 rounds=${5:-5}
work=$(mktemp -d)
sed 's|<system>|<system>\n  <profiler frequency="1000" />|' "$src/ipc.system" >"$work/ipc-profile.system"
cp "$src/ipc.system" "$work/ipc.system"
run() {  # run <label> <system> <program dir> [flags]: appends "label ppc ntf"
  label=$1 system=$2 dir=$3
  shift 3
  out=$(cd "$work" && "$runner" "$system" --board host --search-path "$dir" "$@")
  echo "$label $(echo "$out" | sed -n 's/.*ppc round trip: \([0-9]*\) ns/\1/p') $(echo "$out" | sed -n 's/.*notify round trip: \([0-9]*\) ns/\1/p')" >>"$work/results"
}
i=0
while [ $i -lt "$rounds" ]; do
  run plain ipc.system "$pds"
  run traced ipc.system "$tpds" --trace-json "$work/trace.json"
  run profiled ipc-profile.system "$pds" --profile-out "$work/profile"
  i=$((i + 1))
done
median() { awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$work/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p_ppc=$(median plain 2) p_ntf=$(median plain 3)
for label in plain traced profiled; do
  ppc=$(median $label 2) ntf=$(median $label 3)
  printf "%-9s PPC round trip %6d ns (%.2fx)   notify round trip %6d ns (%.2fx)\n" "$label" "$ppc" \
    "$(awk -v a="$ppc" -v b="$p_ppc" 'BEGIN { print a / b }')" "$ntf" "$(awk -v a="$ntf" -v b="$p_ntf" 'BEGIN { print a / b }')"
done
echo "(median of $rounds runs each, interleaved; deterministic mode)"
rm -rf "$work"
