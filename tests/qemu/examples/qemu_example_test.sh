#!/bin/bash
# qemu_example_test.sh: one example of examples/, built for an seL4 board
# with its own Makefile against the SDK this build assembled, booted on the
# real kernel in QEMU, its serial output compared line by line, in order,
# with what the example must print (ctest -L qemu; tests/qemu/examples/).
#
#   qemu_example_test.sh [--x86-memory M] [--swap-lines A B | --must-differ] SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR BOARD CONFIG TIMEOUT
#
# Expected lines: EXAMPLE_DIR/expected-output-BOARD.txt when it exists (the
# serial lines exactly), else EXAMPLE_DIR/expected-output.txt (the host
# platform's output) with each line's "[pd] " prefix removed and the host
# launcher's final "microkit-host:" line dropped: on seL4 (one core, fixed
# priorities) the PDs print the same lines in the same order.
# Actual lines: the serial output after the kernel's "Booting all finished"
# line, without colour escapes and without the initial task's progress lines
# of a healthy boot and its reports of faults a parent handles (exactly
# those, listed in healthy_boot_lines below: the reports are a debug-
# configuration addition, with build-dependent addresses, that the host
# platform's expected output cannot hold; tests/qemu/debugging checks
# them). Every other line stays: a PD fault the initial task reports
# because no parent handles it ("it is stopped"), a failed step or a
# debug kernel's "<<seL4(CPU n) ...>>" warning makes the output differ. After
# the expected number of lines QEMU runs on for a grace period, so that a PD
# crashing after its last expected line still fails the test.
# QEMU is started by the example's `make run`, that is by `microkit run`
# with the board file's QEMU command (boards/<board>.json, "qemu").
# --swap-lines A B exchanges expected lines A and B (1-based) first: the
# self-test that a wrong order really fails (exit 0 only on a mismatch).
# --must-differ: the same self-test for a system whose output must not match
# (a PD that faults after its last expected line).
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
# The example's folder is never written to: BUILD_DIR is WORK_DIR/build.
set -u
. "$(dirname "$0")/../settle.sh"
. "$(dirname "$0")/../serial_lines.sh"
. "$(dirname "$0")/../make_run.sh"

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

swap= must_differ= x86_memory=
if [ "${1:-}" = --x86-memory ]; then  # x86-64: boot with this much RAM instead of the assumed 1G
  x86_memory=$2  # added after "--" to the board's QEMU command
  shift 2
fi
if [ "${1:-}" = --swap-lines ]; then
  swap="$2 $3" must_differ=1
  shift 3
elif [ "${1:-}" = --must-differ ]; then
  must_differ=1
  shift
fi
[ $# = 7 ] || fail "usage: $0 [--x86-memory M] [--swap-lines A B | --must-differ] SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR BOARD CONFIG TIMEOUT"
sdk=$1 pkg=$2 example=$3 work=$4 board=$5 config=$6 limit=$7

# KERNEL_PKG: a kernel package, or an SDK's board folder (elf/sel4.elf).
[ -f "$pkg/bin/kernel.elf" ] || [ -f "$pkg/elf/sel4.elf" ] ||
  skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/$config" ] ||
  skip "the SDK $sdk has no $board/$config (run 'ninja sdk'; see the configure log for why a board is left out)"
# The board's architecture and QEMU, from the board file (make_run.sh).
board_facts "$sdk" "$board"
command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"
# An example whose system description is per board (timer-<board>.system)
# and has none for this board needs board drivers it does not have.
if ls "$example"/*-qemu_virt_*.system >/dev/null 2>&1 && ! ls "$example"/*-"$board".system >/dev/null 2>&1; then
  skip "$example has no system description for $board (its drivers are board-specific)"
fi

rm -rf "$work" && mkdir -p "$work"

# What the example must print.
# A board without its own file shares the QEMU virt board of its
# architecture's (qemu_virt_aarch64_el1 prints what qemu_virt_aarch64 does).
expected=$work/expected.txt
board_file=$example/expected-output-$board.txt
[ -f "$board_file" ] || board_file=$example/expected-output-qemu_virt_$arch.txt
if [ -f "$board_file" ]; then
  source_file=$board_file
  cp "$source_file" "$expected"
else
  source_file=$example/expected-output.txt
  [ -f "$source_file" ] || fail "$example has neither expected-output-$board.txt nor expected-output.txt"
  grep -v '^microkit-host:' "$source_file" | sed 's/^\[[^]]*\] //' >"$expected"
fi
if [ -n "$swap" ]; then
  set -- $swap
  awk -v a="$1" -v b="$2" '{ l[NR] = $0 } END { t = l[a]; l[a] = l[b]; l[b] = t; for (i = 1; i <= NR; i++) print l[i] }' \
    "$expected" >"$expected.swapped" && mv "$expected.swapped" "$expected"
fi
want=$(wc -l <"$expected")
[ "$want" -gt 0 ] || fail "$source_file expects no output at all"

# The example's own Makefile, as a user with the SDK runs it.
vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG="$config"
      TOOLCHAIN=$arch-linux-gnu)
(cd "$example" && make "${vars[@]}" all) >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make (the PD programs and the image) failed"; }
img=$work/build/loader.img
[ -f "$img" ] || fail "make succeeded but wrote no $img"

# The initial task's lines on a healthy boot (runtime/initialiser): whole
# lines, so that any other line it prints (a fault, a failed step) is kept.
healthy_boot_lines=(
  '^microkit initialiser: running [0-9]+ steps for [0-9]+ PDs$'
  '^microkit initialiser: all steps done$'
  "^microkit initialiser: PD '[^']+' is passive now \\(its scheduling context is bound to its notification\\)$"
  '^mk-fault '  # a fault report's details (registers, backtrace: tests/qemu/debugging)
  "^microkit initialiser: PD '[^']+' faulted: .*; its parent '[^']+' handles it$"  # reported, then fault()
  "^microkit initialiser: PD '[^']+' faulted again; its further faults are not reported$"  # after 8 reports
)

# The serial lines after boot (see the header).
actual_lines() {
  local drop=()
  for re in "${healthy_boot_lines[@]}"; do drop+=(-e "$re"); done
  lines_after_boot "$work/uart.log" | grep -v -E "${drop[@]}"
}

# The example's `make run` (microkit run: the board file's QEMU command),
# as a user boots it (make_run.sh).
boot_and_watch "$example" "$work/uart.log" "$work/qemu.err" "$want" "$limit" \
  "${x86_memory:+-- -m $x86_memory}" "${vars[@]}"
actual_lines >"$work/actual.txt"

if ! diff -u "$expected" "$work/actual.txt" >"$work/diff.txt"; then
  # --must-differ alone: the expected lines came, then more (not a boot that never happened).
  if [ -n "$must_differ" ] && [ -z "$swap" ] &&
     ! head -n "$want" "$work/actual.txt" | cmp -s - "$expected"; then
    cat "$work/uart.log"
    fail "the system did not print its expected lines first, so the extra lines prove nothing"
  fi
  if [ -n "$must_differ" ]; then
    echo "as required, the output does not match $source_file${swap:+ with lines $swap swapped}:"
    cat "$work/diff.txt"
    exit 0
  fi
  echo "--- the serial output ($work/uart.log):"
  cat "$work/uart.log"
  [ -s "$work/qemu.err" ] && { echo "--- QEMU's standard error:"; cat "$work/qemu.err"; }
  echo "--- expected (from $source_file) vs actual PD lines:"
  cat "$work/diff.txt"
  [ $timed_out = 1 ] && fail "after ${limit}s the PDs had not printed what $source_file says"
  fail "the PDs' serial output differs from $source_file"
fi
[ -n "$swap" ] && fail "the output matched even with expected lines $swap swapped: the comparison does not check the order"
[ -n "$must_differ" ] && fail "the output matched $source_file although the system must not pass"
echo "QEMU: the PDs printed exactly the $want lines of $source_file, in order"
