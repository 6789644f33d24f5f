#!/bin/bash
# system_test.sh: one test system of tests/qemu/systems, built with its own
# Makefile against the SDK this build assembled, booted on the real kernel
# in QEMU, and its serial output compared line by line, in order, with
# SYSTEM_DIR/EXPECTED (ctest -L qemu).
#
#   system_test.sh SDK KERNEL_PKG SYSTEM_DIR WORK_DIR BOARD CONFIG TIMEOUT CORES SYSTEM_FILE EXPECTED
#
# Compared lines: everything the serial line shows after the kernel's
# "Booting all finished" line (PDs, the initial task's reports, the
# kernel's own messages; serial_lines.sh says what is cut out of them:
# colour escapes, spurious-interrupt messages), with three things
# that differ from build to build left out: the initial task's progress
# lines ("running N steps ...", "all steps done") and the details of its
# fault reports ("mk-fault ..." lines: registers, backtrace, dump; checked
# by tests/qemu/debugging), in kernel messages the
# TCB address and the pc (" T0x... " and "@<hex>" become " T " and "@pc"),
# and in the initial task's fault reports the pc ("pc 0x<16 digits>"
# becomes "pc <pc>"). The report of a fault a parent handles (debug
# configurations) keeps only who faulted and who handles it ("PD 'c'
# faulted; its parent 'p' handles it"): the fault's words differ between
# architectures, and tests/qemu/debugging checks them.
# CORES is QEMU's -smp (1 for a single-core kernel), added to the board
# file's QEMU command, which `make run` (microkit run) runs, with the words
# of SYSTEM_DIR/qemu-args.txt when it exists (a machine, a device).
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
. "$(dirname "$0")/../settle.sh"
. "$(dirname "$0")/../make_run.sh"
. "$(dirname "$0")/../serial_lines.sh"

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 10 ] || fail "usage: $0 SDK KERNEL_PKG SYSTEM_DIR WORK_DIR BOARD CONFIG TIMEOUT CORES SYSTEM_FILE EXPECTED"
sdk=$1 pkg=$2 dir=$3 work=$4 board=$5 config=$6 limit=$7 cores=$8 system=$9 expected_name=${10}

[ -f "$pkg/bin/kernel.elf" ] ||
  skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/$config" ] ||
  skip "the SDK $sdk has no $board/$config (run 'ninja sdk'; see the configure log for why a board is left out)"
# The board's architecture and QEMU, from the board file (make_run.sh).
board_facts "$sdk" "$board"
command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"

expected=$dir/$expected_name
[ -s "$expected" ] || fail "$expected is missing or empty"
want=$(wc -l <"$expected")
rm -rf "$work" && mkdir -p "$work"

vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG="$config"
      TOOLCHAIN=$arch-linux-gnu SYSTEM="$system")
(cd "$dir" && make "${vars[@]}" all) >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make (the PD programs and the image) failed"; }
img=$work/build/loader.img
[ -f "$img" ] || fail "make succeeded but wrote no $img"

actual_lines() {
  lines_after_boot "$work/uart.log" |
    grep -v -e '^microkit initialiser: running [0-9]* steps for [0-9]* PDs$' -e '^mk-fault ' \
            -e '^microkit initialiser: all steps done$' |
    sed -e 's/ T0x[0-9a-f]* / T /' -e 's/@[0-9a-f]*\]/@pc]/' -e 's/pc 0x[0-9a-f]\{16\}/pc <pc>/' -e 's/fsr 0x[0-9a-f]\{16\}/fsr <fsr>/' \
        -e 's/error code 0x[0-9a-f]\{16\} ([^)]*)/fsr <fsr>/' \
        -e "s/^\(microkit initialiser: PD '[^']*' faulted\): .*\(; its parent '[^']*' handles it\)$/\1\2/"
}

# The system's `make run` (microkit run: the board file's QEMU command,
# with CORES cores; make_run.sh).
# SYSTEM_DIR/qemu-args.txt, when there is one, adds machine or device words
# (e.g. -machine q35 -device edu,...).
extra=
[ -f "$dir/qemu-args.txt" ] && extra=" $(tr '\n' ' ' <"$dir/qemu-args.txt")"
boot_and_watch "$dir" "$work/uart.log" "$work/qemu.err" "$want" "$limit" "-- -smp $cores$extra" "${vars[@]}"
actual_lines >"$work/actual.txt"

if ! diff -u "$expected" "$work/actual.txt" >"$work/diff.txt"; then
  echo "--- the serial output ($work/uart.log):"
  cat "$work/uart.log"
  [ -s "$work/qemu.err" ] && { echo "--- QEMU's standard error:"; cat "$work/qemu.err"; }
  echo "--- expected ($expected) vs actual lines:"
  cat "$work/diff.txt"
  [ $timed_out = 1 ] && fail "after ${limit}s the system had not printed what $expected says"
  fail "the serial output differs from $expected"
fi
echo "QEMU ($cores core(s)): the system printed exactly the $want lines of $expected, in order"
