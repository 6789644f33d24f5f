#!/usr/bin/env bash
# linux_vm_test.sh: the linux-vm example (examples/linux-vm) booted on seL4
# in QEMU, driven through the guest's console.
#
#   linux_vm_test.sh MODE SDK KERNEL_PKG EXAMPLE WORK GUEST_DEBS LIMIT
#
# MODE shell:   wait for the guest's shell prompt, run a command whose
#               output only a working shell produces, check it; then write
#               a line to the guest's virtio console (/dev/hvc0), check it;
#               switch the serial PD's input to the virtio console (Ctrl-])
#               and run a command in the guest's shell on /dev/hvc0; read
#               a known sector of the virtio disk (/dev/vda, the block PD's
#               RAM disk), write a sector and read it back past the cache.
# MODE restart: as shell, then `reboot -f` in the guest (PSCI SYSTEM_RESET,
#               which the VMM answers by reloading and restarting the
#               guest), wait for the second boot's prompt and run the
#               command again; the sector written before the reset reads
#               back the same (the disk lives in the block PD).
# MODE smp:     the guest on two vCPUs (make GUEST_CPUS=2, smp-debug, vCPU 1
#               on core 1; Linux starts it with PSCI CPU_ON): the shell's
#               answer, then the guest's /proc/cpuinfo must list 2 processors
#               and both must be online; then the virtio console's line.
# The example is built with its own Makefile against the SDK. QEMU's serial
# port is its stdin and stdout: keystrokes go in through a FIFO, and every
# byte out lands in WORK/serial.log (kept for a failure's post-mortem).
# LIMIT: seconds each boot may take to reach the prompt.
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -uo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "${log:-}" ] && { echo "--- last serial output ---"; tail -c 3000 "$log"; echo; }; exit 1; }

[ $# -eq 7 ] || { echo "usage: $0 shell|restart|smp SDK KERNEL_PKG EXAMPLE WORK GUEST_DEBS LIMIT" >&2; exit 2; }
mode=$1 sdk=$2 pkg=$3 example=$4 work=$5 debs=$6 limit=$7
board=qemu_virt_aarch64 config=debug cpus=1 qemu_smp=()
# step: seconds for each answer once the guest is up. With two vCPUs every
# exit of vCPU 1 crosses to the VMM's core and back through QEMU's host
# threads, and a loaded host makes its console output crawl (minutes for a
# kernel warning: docs/virtual-machines.md, "Several cores").
step=60
[ "$mode" = smp ] && config=smp-debug cpus=2 qemu_smp=(-smp 4) step=300  # the SMP kernel package runs 4 cores

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -f "$sdk/board/$board/$config/lib/libmicrokit_vmm.a" ] ||
  skip "the SDK $sdk has no $board/$config with libmicrokit_vmm.a (run 'ninja sdk')"
for tool in qemu-system-aarch64 aarch64-linux-gnu-gcc dtc cpio dpkg-deb gzip; do
  command -v $tool >/dev/null || skip "no $tool (./dev.sh install)"
done
ls "$debs"/linux-image-*-arm64_*_arm64.deb >/dev/null 2>&1 ||
  skip "no Debian arm64 kernel package in $debs (./dev.sh guest fetches it)"
ls "$debs"/busybox-static_*_arm64.deb >/dev/null 2>&1 ||
  skip "no Debian busybox-static arm64 package in $debs (./dev.sh guest fetches it)"

rm -rf "$work" && mkdir -p "$work"
log=$work/serial.log

# 1. Build.
if ! make -C "$example" BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=$board \
     MICROKIT_CONFIG=$config TOOLCHAIN=aarch64-linux-gnu GUEST_DEBS="$debs" GUEST_CPUS=$cpus >"$work/build.log" 2>&1; then
  # A tool without the seL4 VM back end refuses the <virtual_machine> at the element.
  grep -q "does not build virtual machines for seL4 yet" "$work/build.log" &&
    skip "this SDK's microkit does not build virtual machines for seL4 yet (vm-not-supported-yet)"
  cat "$work/build.log"
  fail "building the example failed"
fi

# 2. Boot, with the serial port on a FIFO (input) and a file (output).
mkfifo "$work/in"
qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -nographic -serial mon:stdio "${qemu_smp[@]}" \
  -device loader,file="$work/build/loader.img",addr=0x70000000,cpu-num=0 -m size=2G \
  <"$work/in" >"$log" 2>&1 &
qemu=$!
exec 3>"$work/in"  # held open so QEMU never sees end of input
trap 'kill $qemu 2>/dev/null; wait $qemu 2>/dev/null' EXIT

# count TEXT: how often TEXT occurs in the serial log so far.
count() { grep -aoF -- "$1" "$log" 2>/dev/null | wc -l; }

# wait_for TEXT N SECONDS: until TEXT has occurred N times.
wait_for() {
  local text=$1 n=$2 seconds=$3 start=$SECONDS
  while [ "$(count "$text")" -lt "$n" ]; do
    kill -0 $qemu 2>/dev/null || fail "QEMU exited before '$text' (occurrence $n)"
    [ $((SECONDS - start)) -lt "$seconds" ] || fail "no '$text' (occurrence $n) within ${seconds}s"
    sleep 1
  done
}

# type TEXT: keystrokes, one at a time as a user types (the guest's UART
# has no FIFO to take a burst).
type_line() {
  local text=$1 i
  for ((i = 0; i < ${#text}; i++)); do printf '%s' "${text:i:1}" >&3; sleep 0.05; done
  printf '\r' >&3
}

# The check: arithmetic only a shell does, and the kernel's machine name.
check_command() {  # occurrence
  type_line 'echo "answer=$((6*7)) on $(uname -m)"'
  wait_for "answer=42 on aarch64" "$1" "$step"
}

# The virtio console: bytes written to /dev/hvc0 go through a virtqueue, the
# VMM's virtio device model and the serial PD's ring (the typed line shows
# $((7*6)), so only the written line holds virtio=42).
check_virtio() {  # occurrence
  [ "$(count "linux-vm: virtio console /dev/hvc0 is up")" -ge "$1" ] ||
    fail "the guest found no /dev/hvc0 (virtio_mmio.ko, virtio_console.ko, the DTB's virtio,mmio node)"
  type_line 'echo "virtio=$((7*6))" > /dev/hvc0'
  wait_for "virtio=42" "$1" "$step"
}

# Input through the virtio console: Ctrl-] makes the serial PD put typed
# bytes in the virtio console's rx ring; the shell on /dev/hvc0 gets them
# from its receive queue and answers through its transmit queue. Its tty
# proves which console ran the command. Ctrl-] again switches back.
check_virtio_input() {  # occurrence
  printf '\035' >&3
  wait_for "[serial: input to /dev/hvc0]" "$1" 30
  sleep 1
  type_line 'echo "hvc=$((5*9)) on $(tty)"'
  wait_for "hvc=45 on /dev/hvc0" "$1" 60
  printf '\035' >&3
  wait_for "[serial: input to ttyAMA0]" "$1" 30
}

# The virtio disk: the block PD fills each sector with "linux-vm disk sector
# N of M"; the guest reads sector 3 (typed as 1+2, so only the disk's bytes
# hold "sector 3 of"), then writes a line to sector 5, drops its page cache
# and reads the sector back from the device.
check_disk() {  # occurrence
  [ "$(count "linux-vm: virtio disk /dev/vda is up, 2048 sectors")" -ge "$1" ] ||
    fail "the guest found no /dev/vda of 2048 sectors (virtio_blk.ko, the DTB's second virtio,mmio node)"
  type_line 'dd if=/dev/vda bs=512 skip=$((1+2)) count=1 2>/dev/null | head -n 1'
  wait_for "linux-vm disk sector 3 of 2048" "$1" 60
  type_line 'echo "written=$((6*7)) boot='"$1"'" | dd of=/dev/vda bs=512 seek=5 conv=sync 2>/dev/null; sync'
  type_line 'echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 skip=5 count=1 2>/dev/null | head -n 1'
  wait_for "written=42 boot=$1" 1 60
}

wait_for "linux-vm: guest userspace is up" 1 "$limit"
wait_for "guest# " 1 "$step"
check_command 1
echo "PASS step: the guest's shell answered through the serial PD ($(grep -aoF 'guest userspace is up on' "$log" | head -1))"
if [ "$mode" = smp ]; then
  # The count comes from the guest's kernel: only a started second vCPU makes it 2.
  type_line 'echo "cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"'
  wait_for "cpus=2 online=0-1" 1 "$step"
  echo "PASS step: the guest runs on 2 vCPUs"
  check_virtio 1
  echo "PASS step: the guest's /dev/hvc0 wrote through the virtio console"
  echo "PASS: linux-vm $mode"
  exit 0  # the consoles' input and the disk: qemu.linux-vm.shell, on one core
fi
check_virtio 1
echo "PASS step: the guest's /dev/hvc0 wrote through the virtio console"
check_virtio_input 1
echo "PASS step: a command typed into the virtio console ran in the guest's shell on /dev/hvc0"
check_disk 1
echo "PASS step: the guest read the block PD's disk through virtio-blk, wrote a sector and read it back"

if [ "$mode" = restart ]; then
  type_line 'reboot -f'
  wait_for "vmm: restarting the guest" 1 120
  wait_for "linux-vm: guest userspace is up" 2 "$limit"
  wait_for "guest# " 2 60
  check_command 2
  check_virtio 2
  check_virtio_input 2
  # Before writing again: the first boot's sector is still on the block PD's disk.
  type_line 'dd if=/dev/vda bs=512 skip=5 count=1 2>/dev/null | head -n 1'
  wait_for "written=42 boot=1" 2 60
  check_disk 2
  echo "PASS step: the guest booted again after its reset and answered, on both consoles"
fi
echo "PASS: linux-vm $mode"
