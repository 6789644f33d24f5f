#!/bin/bash
# run_vm_bench.sh: what a virtual machine costs on seL4 (qemu_virt_aarch64,
# debug), in guest instructions under QEMU's -icount shift=0,sleep=off (one
# instruction = 1 ns of virtual time; bench/README.md). A benchmark: it
# prints numbers and ratios, asserts no time, and fails only if a system
# does not build or does not report.
#
#   run_vm_bench.sh --sdk <sdk> --workdir <dir> [--guest-debs <dir>] [--timeout 300]
#
# 1. vm_bench.system: bench_vmm.c measures a native PPC (its baseline), then
#    boots guest.S, which measures an emulated MMIO read (exit, decode,
#    emulate, resume) and an injected IRQ's round trip (an MMIO write asking
#    for it, the injection, the guest's handler, its EOI's maintenance exit).
# 2. examples/linux-vm with its serial PD timestamping the guest's first
#    prompt (prompt_stamp.h): Linux boot to a shell, in instructions since
#    the loader's first one. Skipped without the guest's Debian packages.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
sdk= workdir= debs=${MICROKIT_GUEST_DEBS:-$HOME/.cache/microkit/guest} timeout=300
while [ $# -gt 0 ]; do
  case "$1" in
    --sdk) sdk=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --guest-debs) debs=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "usage: $0 --sdk DIR --workdir DIR [--guest-debs DIR] [--timeout S]" >&2; exit 2 ;;
  esac
done
[ -n "$sdk" ] && [ -n "$workdir" ] || { echo "usage: $0 --sdk DIR --workdir DIR" >&2; exit 2; }
sdk=$(cd "$sdk" && pwd)
board_dir=$sdk/board/qemu_virt_aarch64/debug
[ -f "$board_dir/lib/libmicrokit_vmm.a" ] || { echo "$board_dir has no libmicrokit_vmm.a" >&2; exit 1; }
tc=aarch64-linux-gnu
cflags=(-nostdlib -ffreestanding -g -O2 -mstrict-align -Wall -Werror -Wno-unused-function -Wno-unused-parameter
        -I"$board_dir/include")
ldflags=(-L"$board_dir/lib" -z noexecstack)
mkdir -p "$workdir" && workdir=$(cd "$workdir" && pwd)

die() { echo "run_vm_bench: $*" >&2; exit 1; }

# boot IMAGE LOG UNTIL: QEMU under icount until UNTIL appears in LOG (or the timeout).
boot() {
  local image=$1 log=$2 until=$3
  timeout "$timeout" qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -nographic \
    -serial mon:stdio -icount shift=0,sleep=off -m size=2G \
    -device loader,file="$image",addr=0x70000000,cpu-num=0 </dev/null >"$log" 2>&1 &
  local qemu=$!
  while kill -0 $qemu 2>/dev/null && ! grep -qaF "$until" "$log"; do sleep 1; done
  kill $qemu 2>/dev/null; wait $qemu 2>/dev/null
  grep -qaF "$until" "$log" || die "no '$until' in $log"
}

value() { tr -d '\r' <"$2" | grep -ao "bench: $1 [0-9]*" | head -1 | awk '{print $3}'; }  # the prompt stamp follows the prompt on its line
x100() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 100 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# 1. The micro-benchmark system.
w=$workdir/micro && mkdir -p "$w"
$tc-gcc -c "$here/guest.S" -o "$w/guest.o" || die "guest.S"
$tc-ld -Ttext=0x40000000 -e _start "$w/guest.o" -o "$w/guest.elf" && $tc-objcopy -O binary "$w/guest.elf" "$w/guest.bin" || die "guest link"
dtc -q -I dts -O dtb -o "$w/guest.dtb" "$here/guest.dts" || die "guest.dts"
$tc-gcc -c -DGUEST_KERNEL="\"$w/guest.bin\"" -DGUEST_DTB="\"$w/guest.dtb\"" "$root/bench/sel4/vm/guest_images.S" -o "$w/guest_images.o" || die "images"
for pd in bench_vmm ppc_server; do
  $tc-gcc -c "${cflags[@]}" "$here/$pd.c" -o "$w/$pd.o" || die "$pd.c"
done
$tc-ld "${ldflags[@]}" "$w/bench_vmm.o" "$w/guest_images.o" -lmicrokit_vmm -lmicrokit -Tmicrokit.ld -o "$w/bench_vmm.elf" || die "bench_vmm.elf"
$tc-ld "${ldflags[@]}" "$w/ppc_server.o" -lmicrokit -Tmicrokit.ld -o "$w/ppc_server.elf" || die "ppc_server.elf"
"$sdk/bin/microkit" "$here/vm_bench.system" --search-path "$w" --board qemu_virt_aarch64 --config debug \
  -o "$w/loader.img" -r "$w/report.txt" >"$w/microkit.log" 2>&1 || { cat "$w/microkit.log"; die "vm_bench.system"; }
boot "$w/loader.img" "$w/serial.log" "bench: vm done"
ppc=$(value native_ppc_x100 "$w/serial.log") mmio=$(value vm_mmio_read_x100 "$w/serial.log")
irq=$(value vm_irq_roundtrip_x100 "$w/serial.log") loop=$(value vm_loop_x100 "$w/serial.log")

echo "== qemu_virt_aarch64 debug kernel, QEMU -icount shift=0,sleep=off: instructions per operation (mean of 1000)"
printf '%-52s %10s %8s\n' "operation" "instr" "x PPC"
printf '%-52s %10s %8s\n' "native PPC round trip (passive server)" "$(x100 "$ppc")" "1.00"
printf '%-52s %10s %8s\n' "guest MMIO read: exit, decode, emulate, resume" "$(x100 "$mmio")" "$(ratio "$mmio" "$ppc")"
printf '%-52s %10s %8s\n' "guest IRQ: request (MMIO), inject, handle, EOI exit" "$(x100 "$irq")" "$(ratio "$irq" "$ppc")"
printf '%-52s %10s %8s\n' "  of which injection and EOI (minus the MMIO)" "$(x100 $((irq - mmio)))" "$(ratio $((irq - mmio)) "$ppc")"
printf '%-52s %10s\n' "(guest loop round, subtracted above)" "$(x100 "$loop")"
echo "   VMM faults handled: $(value vm_exits "$w/serial.log")"

# 2. Linux to its prompt.
if ! ls "$debs"/linux-image-*-arm64_*_arm64.deb >/dev/null 2>&1; then
  echo "== Linux boot: skipped (no guest packages in $debs; ./dev.sh guest)"
  exit 0
fi
l=$workdir/linux
make -C "$root/examples/linux-vm" BUILD_DIR="$l" MICROKIT_SDK="$sdk" TOOLCHAIN=$tc GUEST_DEBS="$debs" \
  "$l/vmm.elf" "$l/blk_ramdisk.elf" >"$l.build.log" 2>&1 || { cat "$l.build.log"; die "linux-vm build"; }
$tc-gcc -c "${cflags[@]}" -include "$here/prompt_stamp.h" -DSERIAL_TRANSMITTED=prompt_stamp \
  "$root/examples/linux-vm/serial_arm_pl011.c" -o "$l/serial_stamp.o" || die "serial stamp"
$tc-ld "${ldflags[@]}" "$l/serial_stamp.o" -lmicrokit_vmm -lmicrokit -Tmicrokit.ld -o "$l/serial.elf" || die "serial.elf"
"$sdk/bin/microkit" "$root/examples/linux-vm/linux-vm-qemu_virt_aarch64.system" --search-path "$l" \
  --board qemu_virt_aarch64 --config debug -o "$l/loader.img" -r "$l/report.txt" >"$l/microkit.log" 2>&1 ||
  { cat "$l/microkit.log"; die "linux-vm image"; }
boot "$l/loader.img" "$l/serial.log" "bench: linux_prompt_at"
at=$(value linux_prompt_at "$l/serial.log")
echo "== Linux (Debian $(basename "$(ls "$debs"/linux-image-*-arm64_*_arm64.deb | tail -1)" .deb)) boot to its shell prompt"
echo "   $at instructions since the loader's first ($(awk -v a="$at" 'BEGIN { printf "%.2f", a / 1e9 }') x 10^9)"
