#!/bin/bash
# qemu_boot_test.sh: one QEMU boot test of a loader image (ctest label qemu).
#
# Builds the image with make_boot_image, boots it on QEMU virt (AArch64 at
# EL2, or RISC-V 64 under OpenSBI with --arch riscv64; the command lines of
# the Microkit manual), and passes when every
# --expect line has appeared on the UART (serial_text of serial_lines.sh) before --timeout seconds; QEMU is
# then stopped. Exit codes: 0 pass, 1 fail (the UART log is printed),
# 77 skip (no kernel, no initial task, or no QEMU; the reason is printed).
#
#   qemu_boot_test.sh --make-image EXE --loader BIN --load-address ADDR
#       --kernel ELF [--kernel-config JSON] [--hypervisor] [--initial-task ELF]
#       [--corrupt-version] [--elf] [--skip-reason TEXT] --workdir DIR --timeout SEC
#       [--compare-registers] [--arch aarch64|riscv64] [--smp CORES (riscv64)]
#       --expect TEXT [--expect TEXT ...]
set -u
. "$(dirname "$0")/serial_lines.sh"

make_image= loader= load_address= kernel= workdir= timeout=30 skip_reason=
compare_registers=0 elf=0 arch=aarch64 smp=1
image_args=()
expects=()
while [ $# -gt 0 ]; do
  case "$1" in
    --make-image) make_image=$2; shift 2 ;;
    --loader) loader=$2; shift 2 ;;
    --load-address) load_address=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --kernel-config|--initial-task) image_args+=("$1" "$2"); shift 2 ;;
    --hypervisor|--corrupt-version) image_args+=("$1"); shift ;;
    --elf) image_args+=("$1"); elf=1; shift ;;
    --skip-reason) skip_reason=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --compare-registers) compare_registers=1; shift ;;
    --expect) expects+=("$2"); shift 2 ;;
    *) echo "qemu_boot_test.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$skip_reason" ] || skip "$skip_reason"
[ -f "$kernel" ] || skip "no kernel at $kernel (set MICROKIT_KERNEL_ROOT to a seL4 16.0.0 kernel package root)"
qemu=$(command -v "qemu-system-$arch") || skip "qemu-system-$arch is not installed"
[ "$arch" = riscv64 ] && image_args+=(--elf)  # QEMU's -kernel reads the ELF header

mkdir -p "$workdir"
image=$workdir/loader.img
log=$workdir/uart.log
# A log left by an earlier run must not be read before QEMU truncates it
# (the background start races with the first check): a stale pass.
rm -f "$log"
if ! registers=$("$make_image" --loader "$loader" --load-address "$load_address" \
                 --kernel "$kernel" "${image_args[@]}" --out "$image"); then
  echo "FAIL: make_boot_image could not build the image"
  exit 1
fi
echo "image: $image ($(stat -c %s "$image") bytes)"
echo "$registers"
[ "$compare_registers" = 1 ] && expects+=("$registers")

# AArch64: a raw image goes to the load address, an ELF image says where
# itself. RISC-V: the Microkit manual's command; QEMU's default OpenSBI
# (fw_dynamic) enters the ELF image in S-mode at its entry.
if [ "$arch" = riscv64 ]; then
  qemu_args=(-machine virt -m size=2G -nographic -serial mon:stdio -kernel "$image" -smp "$smp")
elif [ "$elf" = 1 ]; then
  qemu_args=(-machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic
             -serial mon:stdio -device "loader,file=$image,cpu-num=0")
else
  qemu_args=(-machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic
             -serial mon:stdio -device "loader,file=$image,addr=$load_address,cpu-num=0")
fi
"$qemu" "${qemu_args[@]}" </dev/null >"$log" 2>&1 &
qemu_pid=$!

all_seen() {
  local e
  for e in "${expects[@]}"; do
    serial_text "$log" | grep -qF -- "$e" || return 1
  done
}

status=1
deadline=$((SECONDS + timeout))
while [ $SECONDS -lt $deadline ]; do
  if all_seen; then status=0; break; fi
  kill -0 "$qemu_pid" 2>/dev/null || { all_seen && status=0; break; }
  sleep 0.2
done
kill "$qemu_pid" 2>/dev/null
wait "$qemu_pid" 2>/dev/null

echo "---- UART ----"
tr -d '\r' <"$log"
echo "--------------"
if [ $status -ne 0 ]; then
  for e in "${expects[@]}"; do
    serial_text "$log" | grep -qF -- "$e" || echo "FAIL: never saw: $e"
  done
  exit 1
fi
echo "PASS"
