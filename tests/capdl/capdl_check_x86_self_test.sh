#!/bin/bash
# capdl_check_x86_self_test.sh: capdl_check must notice a wrong x86-64 JSON.
# Takes the files passing runs left behind: capdl.example.x86_64.timer (an
# IOAPIC IRQ) and the official x86_64_ioport, bootinfo and
# x86_64_iommu_dma_test runs (an I/O port cap, a bootinfo fill, an IOMMU
# address space); changes one thing at a time and expects capdl_check to
# fail on each, naming the difference. Parts whose run left nothing are
# skipped, saying so.
#
#   capdl_check_x86_self_test.sh CAPDL_CHECK KERNEL_PKG TIMER_WORK OFFICIAL_X86_WORK
# Exit codes: 0 pass, 1 fail, 77 skip (no run left anything).
set -u
fail() { echo "FAIL: $*"; exit 1; }
[ $# = 4 ] || fail "usage: $0 CAPDL_CHECK KERNEL_PKG TIMER_WORK OFFICIAL_X86_WORK"
checker=$1 pkg=$2 timer=$3 official=$4
checked=0

# expect_mismatch WHAT IMG JSON SED_SCRIPT WORDS: the changed JSON must fail with WORDS in the output.
expect_mismatch() {
  local what=$1 img=$2 json=$3 script=$4 words=$5 out changed
  changed=$(dirname "$json")/self-test.json
  sed "$script" "$json" >"$changed"
  cmp -s "$json" "$changed" && fail "$what: the sed script changed nothing"
  out=$("$checker" "$pkg" "$img" "$changed")
  [ $? = 1 ] || fail "$what: capdl_check did not fail"
  echo "$out" | grep -q -- "$words" || fail "$what: the report does not say '$words': $out"
  echo "detected: $what"
}

# image WORK: loader.img, or initialiser.elf where an x86 Makefile names it so.
image() { [ -s "$1/build/loader.img" ] && echo "$1/build/loader.img" || echo "$1/build/initialiser.elf"; }

# have IMG JSON: both left by a run, and they pass unchanged.
have() {
  [ -s "$1" ] && [ -s "$2" ] || { echo "note: no files in $(dirname "$2") (that run was skipped)"; return 1; }
  "$checker" "$pkg" "$1" "$2" >/dev/null || fail "the unchanged $2 does not pass"
  checked=$((checked + 1))
}

if have "$timer/build/loader.img" "$timer/spec.json"; then
  expect_mismatch "an IOAPIC pin" "$timer/build/loader.img" "$timer/spec.json" \
    '0,/"pin": \([0-9]*\)/s//"pin": 1\1/' "pin"
  expect_mismatch "an IOAPIC trigger" "$timer/build/loader.img" "$timer/spec.json" \
    '/"IrqIOApic"/,/"polarity"/s/"level": [0-9]*/"level": 7/' "level"
fi
w=$official/x86_64_ioport
if have "$(image "$w")" "$w/spec.json"; then
  expect_mismatch "an I/O port range" "$(image "$w")" "$w/spec.json" \
    '0,/"start_port": \([0-9]*\)/s//"start_port": 1\1/' "ports"
fi
w=$official/bootinfo
if have "$(image "$w")" "$w/spec.json"; then
  expect_mismatch "a bootinfo chunk" "$(image "$w")" "$w/spec.json" \
    '0,/"id": "X86TscFreq"/s//"id": "X86Vbe"/' "bootinfo fill"
fi
w=$official/x86_64_iommu_dma_test
if have "$(image "$w")" "$w/spec.json"; then
  expect_mismatch "an IOMMU domain" "$(image "$w")" "$w/spec.json" \
    '0,/"domain_id": \([0-9]*\)/s//"domain_id": 9\1/' "domain and device"
  expect_mismatch "an IO mapping" "$(image "$w")" "$w/spec.json" \
    '/"IOPageTable": {/,/"level": 2/{0,/"slot": \([0-9]*\)/s//"slot": 3\1/}' "iospace_"
fi
[ $checked -gt 0 ] || { echo "SKIP: no x86-64 run left files to change"; exit 77; }
echo "capdl_check found every change ($checked runs)"
