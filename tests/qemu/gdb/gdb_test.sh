#!/bin/bash
# gdb_test.sh: GDB on seL4 (docs/debugging.md, "GDB on a live system"). Builds tests/qemu/gdb's
# system with `--gdb-stub`, boots it in QEMU with the UART on a TCP socket,
# and drives Debian's gdb-multiarch in batch mode with the script the tool
# wrote (IMAGE.gdb) plus commands.gdb: a breakpoint in one PD's notified()
# is hit, a variable printed, a line stepped, the `monitor` commands
# answered, a hardware breakpoint in the other PD hit; then, stopped in ponger, a watchpoint on the shared page is set
# from pinger's inferior (GDB scopes watchpoints to an inferior) and hit by
# pinger's write, and pinger reads ponger's count through that page; last,
# a Ctrl-C (SIGINT to gdb) stops the running system. The answers are
# checked line by line.
#
#   gdb_test.sh SDK KERNEL_PKG SRC_DIR WORK_DIR
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 4 ] || fail "usage: $0 SDK KERNEL_PKG SRC_DIR WORK_DIR"
sdk=$1 pkg=$2 src=$3 work=$4
board=qemu_virt_aarch64 config=debug

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -f "$sdk/board/$board/$config/elf/gdb_debugger.elf" ] ||
  skip "the SDK $sdk has no $board/$config debugger PD (run 'ninja sdk')"
command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64"
command -v gdb-multiarch >/dev/null || skip "no gdb-multiarch (Debian package gdb-multiarch; dev.sh installs it)"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"
command -v python3 >/dev/null || skip "no python3 (to pick a free TCP port)"

rm -rf "$work" && mkdir -p "$work"
vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=$board MICROKIT_CONFIG=$config
      TOOLCHAIN=aarch64-linux-gnu)
(cd "$src" && make "${vars[@]}" all) >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make (the PD programs and the image) failed"; }
script=$work/build/loader.gdb
[ -s "$script" ] || fail "the build wrote no gdb script at $script"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -m size=2G -display none -monitor none \
  -chardev socket,id=uart,host=127.0.0.1,port=$port,server=on,wait=off,logfile="$work/uart.log" \
  -serial chardev:uart -device loader,file="$work/build/loader.img",addr=0x70000000,cpu-num=0 \
  </dev/null >"$work/qemu.out" 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null; wait $qemu 2>/dev/null' EXIT

# Connect once the system is up: the initial task's last line, after which
# only the debugger runs (it holds the system stopped until GDB continues).
for _ in $(seq 1 120); do
  grep -q "all steps done" "$work/uart.log" 2>/dev/null && break
  kill -0 $qemu 2>/dev/null || { cat "$work/qemu.out"; fail "QEMU exited"; }
  sleep 0.5
done
grep -q "all steps done" "$work/uart.log" || { cat "$work/uart.log"; fail "the system did not boot in 60 s"; }

MICROKIT_GDB_REMOTE=127.0.0.1:$port timeout 120 gdb-multiarch -batch -nx -x "$script" -x "$src/commands.gdb" \
  >"$work/gdb.log" 2>&1
rc=$?
cat "$work/gdb.log"
[ $rc = 0 ] || fail "gdb-multiarch exited with $rc"

# The answers, in order (each a grep -E pattern on one line of the log).
expect=(
  'CHECK threads'
  'Thread 1\.1 .*pinger'
  'Thread 2\.1 .*ponger'
  'CHECK break'
  'Breakpoint 1 at .*ponger\.c'
  '^pinger: this line reaches GDB through the debugger'
  'Breakpoint 1, notified \(ch=2\) at .*ponger\.c:[0-9]+'
  'CHECK print'
  '^\$1 = 0$'
  'CHECK step'
  '^\$2 = 1$'
  'CHECK monitor'
  '^pinger: priority 100, budget 1000 us, period 1000 us, pc 0x'
  '^ponger: priority 90, budget 1000 us, period 1000 us, pc 0x'
  "^CSpace of 'pinger'"
  'slot [0-9]+: notify 1 -> ponger'
  'slot [0-9]+: cspace 1: tcb of ponger'
  '^kernel \(every slot, by seL4_DebugCapIdentify on a copy\):$'
  '^  slot [0-9]+: empty, the plan says thread$'
  '^  slot [0-9]+: thread, not in the plan$'
  '^kernel: [0-9]+ of [0-9]+ planned capabilities as planned'
  "^CSpace of 'ponger'"
  '^kernel: [0-9]+ of [0-9]+ planned capabilities as planned'
  'CHECK hbreak'
  'Hardware assisted breakpoint 2 at .*pinger\.c'
  'Thread 1\.1 hit Breakpoint 2, notified \(ch=1\) at .*pinger\.c:[0-9]+'
  'CHECK watch'
  'Hardware watchpoint [0-9]+: -location'
  'Hardware watchpoint [0-9]+: -location'
  'Old value = 0'
  'New value = 1'
  'pinger\.c'
  'CHECK watch-thread'
  '^\* 1\.1 .*pinger'
  'CHECK shared'
  '^\$[0-9]+ = 1$'
  'CHECK interrupt'
  'Thread [12]\.1 received signal SIGINT, Interrupt\.'
  'CHECK done'
)
line=0
for e in "${expect[@]}"; do
  found=$(tail -n +$((line + 1)) "$work/gdb.log" | grep -n -m1 -E -- "$e" | cut -d: -f1)
  [ -n "$found" ] || fail "no line matching '$e' after line $line of $work/gdb.log"
  line=$((line + found))
done

# monitor cspace: the kernel's answer against the plan. pinger moved its
# grant of ponger's TCB (gdb.system's cspace slot 1) into its first free
# slot: that slot of the plan reads empty, the free one holds a thread cap,
# every other capability is as planned; ponger's CSpace is as planned.
! grep -q "moving ponger's TCB cap failed" "$work/gdb.log" || fail "pinger could not move its capability"
grant=$(grep -m1 -oE 'slot [0-9]+: cspace 1: tcb of ponger' "$work/gdb.log" | cut -d' ' -f2 | tr -d :)
grep -qx "  slot $grant: empty, the plan says thread" "$work/gdb.log" ||
  fail "monitor cspace pinger did not report its slot $grant (the moved grant) as empty"
[ "$(grep -cE '^  slot [0-9]+: (.*, the plan says |.*not in the plan$|not checked)' "$work/gdb.log")" = 2 ] ||
  fail "monitor cspace reported other differences than the moved capability's two slots"
mapfile -t tallies < <(grep -E '^kernel: [0-9]+ of [0-9]+ planned' "$work/gdb.log")
[ ${#tallies[@]} = 2 ] || fail "expected one kernel tally per monitor cspace, found ${#tallies[@]}"
tally_re='^kernel: ([0-9]+) of ([0-9]+) planned capabilities as planned, ([0-9]+) different, ([0-9]+) not checked; ([0-9]+) more slots in use$'
# check_tally LINE MISSING DIFFERENT UNCHECKED MORE: as planned = planned - MISSING.
check_tally() {
  [[ $1 =~ $tally_re ]] || fail "unreadable tally: $1"
  local planned=${BASH_REMATCH[2]}
  [ "$planned" -ge 5 ] || fail "too few planned capabilities checked: $1"
  local want="$((planned - $2)) $3 $4 $5"
  [ "${BASH_REMATCH[1]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]} ${BASH_REMATCH[5]}" = "$want" ] ||
    fail "tally '$1': expected (as planned, different, not checked, more) = $want"
}
check_tally "${tallies[0]}" 1 1 0 1
check_tally "${tallies[1]}" 0 0 0 0
echo "PASS: breakpoints, print, step, monitor (CSpace checked against the kernel), a watchpoint on shared memory and Ctrl-C through the debugger PD"
