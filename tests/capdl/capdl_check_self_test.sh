#!/bin/bash
# capdl_check_self_test.sh: capdl_check must notice a wrong JSON or .cdl.
# Takes the files a passing capdl.example.<name> run left in WORK_DIR, makes
# one change at a time (a badge, a priority, a frame's address, a mapping
# dropped, a cap's badge in the .cdl, an unknown object type in the .cdl)
# and expects capdl_check to fail on each, naming the difference.
#
#   capdl_check_self_test.sh CAPDL_CHECK KERNEL_PKG WORK_DIR
# Exit codes: 0 pass, 1 fail, 77 skip (the example run left nothing).
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ $# = 3 ] || fail "usage: $0 CAPDL_CHECK KERNEL_PKG WORK_DIR"
checker=$1 pkg=$2 work=$3
img=$work/build/loader.img json=$work/spec.json cdl=$work/spec.cdl
[ -s "$img" ] && [ -s "$json" ] && [ -s "$cdl" ] ||
  { echo "SKIP: no files from the example run in $work (it was skipped)"; exit 77; }
"$checker" "$pkg" "$img" "$json" "$cdl" >/dev/null || fail "the unchanged files do not pass"

# expect_mismatch WHAT SED_SCRIPT FILE WORDS: the changed file must fail with WORDS in the output.
expect_mismatch() {
  local what=$1 script=$2 file=$3 words=$4 out
  local changed=$work/self-test.${file##*.}
  sed "$script" "$file" >"$changed"
  cmp -s "$file" "$changed" && fail "$what: the sed script changed nothing"
  if [ "$file" = "$json" ]; then
    out=$("$checker" "$pkg" "$img" "$changed" "$cdl")
  else
    out=$("$checker" "$pkg" "$img" "$json" "$changed")
  fi
  [ $? = 1 ] || fail "$what: capdl_check did not fail"
  echo "$out" | grep -q -- "$words" || fail "$what: the report does not say '$words': $out"
  echo "detected: $what"
}
expect_mismatch "a badge" '0,/"badge": 1,/s//"badge": 5,/' "$json" "badge"
expect_mismatch "a priority" '0,/"prio": \([0-9]*\)/s//"prio": 7\1/' "$json" "prio"
expect_mismatch "a frame address" '0,/"paddr": \([0-9]*\)\(,\?\)$/s//"paddr": 1\1\2/' "$json" "paddr"
expect_mismatch "a mapping" '0,/"executable": true/s//"executable": false/' "$json" "executab"
expect_mismatch "a .cdl badge" '0,/badge: 1,/s//badge: 9,/' "$cdl" "lacks badge"
expect_mismatch "a .cdl object type" '0,/ = ep$/s// = eq/' "$cdl" "not well-formed"
echo "capdl_check found every change"
