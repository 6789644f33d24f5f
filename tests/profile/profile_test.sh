#!/bin/bash
# profile_test.sh MICROKIT SYSTEM PROGRAM_DIR WORK_DIR: runs SYSTEM (spin.system)
# on the host with its <profiler>, then checks the profile (tests/profile):
#  - profile.txt: spinner's hottest function is spin_here with at least 90%
#    of its samples, and spin_here holds at least 80% of all samples;
#  - profile.perf: `perf script` text whose spin_here samples have init as
#    a caller (frame records), with each frame in the form flame-graph
#    tools read ("<hex> <symbol>+0x<off> (<path>)").
# Exit codes: 0 pass, 1 fail (saying what).
set -u
fail() { echo "FAIL: $*"; exit 1; }
microkit=$1 system=$2 dir=$3 work=$4
mkdir -p "$work"
rm -f "$work"/profile.*
(cd "$(dirname "$system")" && "$microkit" run "$(basename "$system")" --board host \
    --search-path "$dir" --profile-out "$work/profile") >"$work/run.log" 2>&1 ||
  { cat "$work/run.log"; fail "microkit run failed"; }
[ -s "$work/profile.txt" ] && [ -s "$work/profile.perf" ] || { cat "$work/run.log"; fail "no profile written"; }
cat "$work/profile.txt"
read -r samples share < <(awk '$1 == "spinner" { print $2, $6 }' "$work/profile.txt")
hottest=$(awk '$1 == "spinner" { print $5 }' "$work/profile.txt")
[ "$hottest" = spin_here ] || fail "spinner's hottest function is '$hottest', not spin_here"
# Linux fires a CPU-time timer at most once per tick (CONFIG_HZ, 250 on
# Debian): about 75 samples for the spinner's 0.3 s of CPU at 1000 Hz asked.
[ "${samples:-0}" -ge 30 ] || fail "only ${samples:-0} samples of spinner (expected about 75: 0.3 s of CPU at the kernel's tick)"
pct=$(echo "$share" | tr -d '(%)')
awk -v p="$pct" 'BEGIN { exit !(p >= 90) }' || fail "spin_here has only $pct% of spinner's samples"
total=$(awk '$1 == "total" { print $2 }' "$work/profile.txt")
in_spin=$(awk '/cpu-clock:/ { getline; if ($2 ~ /^spin_here\+0x/) n++ } END { print n + 0 }' "$work/profile.perf")
awk -v a="$in_spin" -v b="$total" 'BEGIN { exit !(b > 0 && a / b >= 0.8) }' ||
  fail "only $in_spin of $total samples have spin_here as their innermost frame"
with_init=$(awk '/cpu-clock:/ { getline; leaf = $2; getline; if (leaf ~ /^spin_here/ && $2 ~ /^init\+0x/) n++ } END { print n + 0 }' "$work/profile.perf")
awk -v a="$with_init" -v b="$in_spin" 'BEGIN { exit !(a / b >= 0.9) }' ||
  fail "only $with_init of $in_spin spin_here samples have init as their caller (frame records)"
bad=$(awk '/^\t/ && !/^\t *[0-9a-f]+ (\[unknown\]|[^ ]+\+0x[0-9a-f]+) \(.+\)$/' "$work/profile.perf" | head -3)
[ -z "$bad" ] || fail "frames not in perf script form: $bad"
echo "profile: $in_spin of $total samples in spin_here, $with_init of them called from init"
