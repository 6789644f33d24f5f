#!/bin/bash
# run_timeout_test.sh: `microkit run` on a QEMU board, directly (ctest -L qemu):
# the hello example's PDs built with its Makefile against the SDK, then
#   microkit run hello.system --board BOARD --config debug -o IMAGE --timeout S
# must build the image, say the board file's QEMU command it runs, boot it
# (hello's line appears), stop QEMU after S seconds saying so, exit 0, and
# leave no QEMU behind.
#
#   run_timeout_test.sh SDK KERNEL_PKG EXAMPLES_DIR WORK_DIR BOARD
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
. "$(dirname "$0")/../settle.sh"
. "$(dirname "$0")/../make_run.sh"

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 5 ] || fail "usage: $0 SDK KERNEL_PKG EXAMPLES_DIR WORK_DIR BOARD"
sdk=$1 pkg=$2 examples=$3 work=$4 board=$5 seconds=8
[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/debug" ] || skip "the SDK $sdk has no $board/debug (run 'ninja sdk')"
board_facts "$sdk" "$board"
command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"

rm -rf "$work" && mkdir -p "$work"
(cd "$examples/hello" && make BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" \
   MICROKIT_CONFIG=debug TOOLCHAIN=$arch-linux-gnu "$work/build/hello.elf") >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make could not build hello.elf"; }

image=$work/run.img
start=$SECONDS
(cd "$examples/hello" && "$sdk/bin/microkit" run hello.system --board "$board" --config debug \
   --search-path "$work/build" -o "$image" --timeout $seconds) </dev/null >"$work/out.txt" 2>"$work/err.txt"
status=$?
took=$((SECONDS - start))
show() { echo "--- stdout:"; cat "$work/out.txt"; echo "--- stderr:"; cat "$work/err.txt"; }

[ $status = 0 ] || { show; fail "microkit run exited with $status, not 0, after --timeout"; }
grep -q "^microkit: booting $board/debug: $qemu_program .*$image" "$work/err.txt" ||
  { show; fail "microkit run did not say the QEMU command it runs"; }
grep -q "^microkit: stopped QEMU after $seconds s (--timeout)$" "$work/err.txt" ||
  { show; fail "microkit run did not say that --timeout stopped QEMU"; }
tr -d '\r' <"$work/out.txt" | grep -q "^hello, world$" || { show; fail "the system did not print hello's line"; }
[ $took -ge $seconds ] || { show; fail "microkit run returned after ${took}s, before the ${seconds}s limit"; }
[ -f "$image" ] || fail "-o $image was not kept"
if ps -eo args | grep -F -- "$image" | grep -v grep | grep -q .; then
  fail "a QEMU with $image is still running after microkit run returned"
fi
echo "microkit run booted hello on $board, printed its line and stopped QEMU after ${seconds}s (exit 0)"
