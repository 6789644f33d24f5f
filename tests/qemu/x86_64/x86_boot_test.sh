#!/bin/bash
# x86_boot_test.sh: one QEMU boot test of seL4 on x86-64 (ctest label qemu).
#
# There is no Microkit loader on x86: QEMU's multiboot loader starts the
# kernel, which loads the first boot module (an ELF) as its initial task.
# The kernel package's kernel.elf is 64-bit; QEMU's -kernel needs a 32-bit
# ELF, so it is converted here with objcopy. QEMU runs the Microkit manual's
# command for x86_64_generic:
#   qemu-system-x86_64 -cpu qemu64,+fsgsbase,+pdpe1gb,+xsaveopt,+xsave -m 1G
#       -display none -serial mon:stdio -kernel sel4_32.elf -initrd <initial task>
# Passes when every --expect line has appeared on the serial port, in the
# order given, before --timeout seconds, and no --forbid text appeared by
# the time the output settled. Exit codes: 0 pass, 1 fail (the serial log is
# printed), 77 skip (no kernel, no initial task, or no QEMU; the reason is printed).
#
#   x86_boot_test.sh --kernel ELF --workdir DIR --timeout SEC
#       [--memory SIZE] [--smp CORES] [--skip-reason TEXT] --expect TEXT... [--forbid TEXT...]
#       (--initial-task ELF | -- MAKE-IMAGE-COMMAND...)
# With "--", the command is run with "--out DIR/loader.img" added, and that
# file is the initial task.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/settle.sh"
source "$here/serial_lines.sh"
source "$here/expect_lines.sh"

kernel= task= workdir= timeout=30 skip_reason= memory=1G smp=1
expects=() forbids=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) kernel=$2; shift 2 ;;
    --initial-task) task=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --skip-reason) skip_reason=$2; shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --forbid) forbids+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "x86_boot_test.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$skip_reason" ] || skip "$skip_reason"
[ -f "$kernel" ] || skip "no kernel at $kernel (set MICROKIT_KERNEL_ROOT to a seL4 16.0.0 kernel package root)"
[ $# -gt 0 ] || [ -f "$task" ] || skip "no initial task at $task"
qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)"
objcopy=$(command -v x86_64-linux-gnu-objcopy || command -v objcopy) || skip "no objcopy for the 32-bit kernel"

mkdir -p "$workdir"
if [ $# -gt 0 ]; then
  task=$workdir/loader.img
  "$@" --out "$task" || { echo "FAIL: could not build the image: $*"; exit 1; }
fi
log=$workdir/serial.log
rm -f "$log"  # a stale log must not pass
"$objcopy" -O elf32-i386 "$kernel" "$workdir/sel4_32.elf" || { echo "FAIL: objcopy"; exit 1; }

# Several cores run on single-threaded TCG (round robin): with QEMU 7.2's
# multi-threaded TCG, the smp-debug kernel stalled in 4 of 6 boots of
# initialiser_libmicrokit_smp after the server's init (cross-core wake-up
# lost); single-threaded, 6 of 6 passed. Not understood yet (docs/status.md).
accel=()
[ "$smp" -gt 1 ] && accel=(-accel tcg,thread=single)
"$qemu" "${accel[@]}" -cpu qemu64,+fsgsbase,+pdpe1gb,+xsaveopt,+xsave -m "$memory" -smp "$smp" -display none \
  -serial mon:stdio -kernel "$workdir/sel4_32.elf" -initrd "$task" </dev/null >"$log" 2>&1 &
qemu_pid=$!
watch_expected "$log" "$qemu_pid" "$timeout"
report_expected "$log"
