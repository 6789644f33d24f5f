#!/bin/bash
# debugging_test.sh: the fault report of a PD without a parent, on the real
# kernel in QEMU, and what the tool makes of it (docs/debugging.md):
#   1. the report says the fault in words (a write to 0x10) and its
#      backtrace has a frame for every call from _start to the faulting one;
#   2. `microkit symbolize` names them, with file and line, and the
#      initial task named them the same from the embedded symbol table
#      (which --no-fault-symbols leaves out of the image);
#   3. `microkit coredump` writes a core file on which gdb-multiarch shows
#      the same backtrace, ending at _start, and reads variables from the
#      dumped stack, data and memory region.
#
#   debugging_test.sh SDK KERNEL_PKG SYSTEM_DIR WORK_DIR BOARD CONFIG TIMEOUT
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
. "$(dirname "$0")/../settle.sh"
. "$(dirname "$0")/target_frames.sh"

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 7 ] || fail "usage: $0 SDK KERNEL_PKG SYSTEM_DIR WORK_DIR BOARD CONFIG TIMEOUT"
sdk=$1 pkg=$2 dir=$3 work=$4 board=$5 config=$6 limit=$7

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/$config" ] || skip "the SDK $sdk has no $board/$config (run 'ninja sdk')"
case "$board" in
  qemu_virt_aarch64)
    arch=aarch64
    qemu_cmd=(qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -smp 1
              -m size=2G -nographic -serial mon:stdio -device loader,file=IMAGE,addr=0x70000000,cpu-num=0) ;;
  qemu_virt_riscv64)
    arch=riscv64
    qemu_cmd=(qemu-system-riscv64 -machine virt -smp 1 -m size=2G -nographic -serial mon:stdio -kernel IMAGE) ;;
  x86_64_generic)
    arch=x86_64
    qemu_cmd=(qemu-system-x86_64 -cpu qemu64,+fsgsbase,+pdpe1gb,+xsaveopt,+xsave -smp 1 -m 1G
              -display none -serial mon:stdio -kernel KERNEL32 -initrd IMAGE) ;;
  *) skip "no QEMU command for $board here" ;;
esac
command -v "${qemu_cmd[0]}" >/dev/null || skip "no ${qemu_cmd[0]}"
command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"
command -v gdb-multiarch >/dev/null || skip "no gdb-multiarch (Debian package gdb-multiarch; dev.sh installs it)"

rm -rf "$work" && mkdir -p "$work"
build=$work/build
vars=(BUILD_DIR="$build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG="$config"
      TOOLCHAIN=$arch-linux-gnu)
(cd "$dir" && make "${vars[@]}" all) >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make (the PD program and the image) failed"; }

log=$work/uart.log
qemu_cmd=("${qemu_cmd[@]//IMAGE/$build/loader.img}")
"${qemu_cmd[@]//KERNEL32/$build/sel4_32.elf}" </dev/null >"$log" 2>"$work/qemu.err" &
qemu=$!
end=$((SECONDS + limit))
while [ $SECONDS -lt $end ] && ! grep -q '^mk-fault end' "$log"; do sleep 0.5; done
settle "$log" $qemu
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null
grep -q '^mk-fault end' "$log" || { tail -20 "$log"; fail "no complete fault report within ${limit}s"; }

# 1. The report itself.
grep -q '^mk-fault what vm access write address 0x0000000000000010 ' "$log" ||
  { grep '^mk-fault what' "$log"; fail "the fault is not described as a write to 0x10"; }
# The frame records give every caller but the faulting function's own, when
# the fault comes after its epilogue (as GCC schedules this one): that one is
# in the link register, which symbolize adds.
frames=$(grep -c '^mk-fault frame ' "$log")
[ "$frames" -ge 5 ] || { grep '^mk-fault frame' "$log"; fail "$frames backtrace frames, want at least 5"; }

# 2. symbolize, from the system and the search path.
sdk_tool=$sdk/bin/microkit
"$sdk_tool" symbolize "$log" "$dir/crash.system" --search-path "$build" >"$work/symbolized.txt" 2>"$work/symbolize.err" ||
  { cat "$work/symbolize.err"; fail "microkit symbolize failed"; }
want_frames=("#0 .* in store_through at .*crasher.c:11$"
             "#1 .* in level_two at .*crasher.c:18$"
             "#2 .* in level_one at .*crasher.c:24$"
             "#3 .* in init at .*crasher.c:34$"
             "#4 .* in microkit_main at .*event_loop.cc:[0-9]+$"
             "#5 .* in _start at .*crt0.S:[0-9]+$")
for want in "${want_frames[@]}"; do
  grep -Eq "$want" "$work/symbolized.txt" || { cat "$work/symbolized.txt"; fail "symbolize: no frame matching '$want'"; }
done
# level_two can be missing from the records (the link register case above).
check_target_frames "$log" "$work/symbolized.txt" store_through level_one init
grep -q "VM fault, write at address 0x10" "$work/symbolized.txt" ||
  { cat "$work/symbolized.txt"; fail "symbolize: the fault is not in words"; }

# --no-fault-symbols: the same image without the symbol table, whose magic
# ("MKSY") the image with it holds once more (one PD; x86-64's initial task
# has the magic as an immediate operand, so the count without is not 0).
"$sdk_tool" "$dir/crash.system" --search-path "$build" --board "$board" --config "$config" --no-fault-symbols \
  -o "$work/plain.img" -r "$work/plain.txt" >"$work/plain.log" 2>&1 || { cat "$work/plain.log"; fail "a build with --no-fault-symbols failed"; }
with=$(grep -a -o MKSY "$build/loader.img" | wc -l) without=$(grep -a -o MKSY "$work/plain.img" | wc -l)
[ "$with" = $((without + 1)) ] ||
  fail "the image has the symbol table magic $with times, built with --no-fault-symbols $without times (want one less)"

# 3. coredump, then gdb on the core file.
"$sdk_tool" coredump "$log" -o "$work" >"$work/coredump.txt" 2>&1 ||
  { cat "$work/coredump.txt"; fail "microkit coredump failed"; }
[ -s "$work/crasher.core" ] || fail "coredump wrote no $work/crasher.core"
gdb-multiarch -batch -nx -ex 'set pagination off' -ex bt -ex 'print/x counter' -ex 'x/s log' \
  -ex 'frame 1' -ex 'info frame' "$build/crasher.elf" "$work/crasher.core" >"$work/gdb.txt" 2>&1
# gdb shows frame #0 when it loads the core and #1 again for `frame 1`: one of each.
bt=$(grep -E '^#[0-9]+ ' "$work/gdb.txt" | awk '!seen[$1]++')
names=$(echo "$bt" | sed -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([A-Za-z_0-9.]+).*/\2/' | tr '\n' ' ')
[ "$names" = "store_through level_two level_one init microkit_main _start " ] ||
  { cat "$work/gdb.txt"; fail "gdb's backtrace is '$names', want store_through .. _start"; }
grep -Eqi "corrupt stack|previous frame identical|previous frame inner" "$work/gdb.txt" &&
  { cat "$work/gdb.txt"; fail "gdb did not end the backtrace cleanly at _start"; }
grep -q '= 0x5a5a0002' "$work/gdb.txt" || { cat "$work/gdb.txt"; fail "gdb: counter is not 0x5a5a0002 (the dumped .bss)"; }
grep -q '"crasher was here"' "$work/gdb.txt" || { cat "$work/gdb.txt"; fail "gdb: the MR 'log' does not hold the message"; }
echo "PASS: fault report, symbolize and a core file gdb reads ($frames frames)"
