#!/bin/bash
# initialiser_test.sh: one QEMU boot of a system run by the initialiser
# (ctest label qemu). Builds the image with make_initialiser_image, boots it
# on QEMU virt (AArch64, EL2, the command line of qemu_boot_test.sh; with
# --arch riscv64 the Microkit manual's RISC-V command, the image an ELF
# file that QEMU's -kernel loads and OpenSBI enters in S-mode), and
# passes when every --expect line has appeared on the UART, in the order
# given, before --timeout seconds, and no --absent text by the time the
# output settled (expect_lines.sh); QEMU is then stopped.
# Exit codes: 0 pass, 1 fail (the UART log is printed), 77 skip.
#
#   initialiser_test.sh --make-image EXE --load-address ADDR --workdir DIR
#       --timeout SEC [--arch aarch64|riscv64] [--skip-reason TEXT] [--absent TEXT]...
#       --expect TEXT [--expect TEXT ...] -- <make_initialiser_image args>
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/settle.sh"
source "$here/serial_lines.sh"
source "$here/expect_lines.sh"

make_image= load_address= workdir= timeout=60 skip_reason= arch=aarch64
expects=()
forbids=()
while [ $# -gt 0 ]; do
  case "$1" in
    --make-image) make_image=$2; shift 2 ;;
    --load-address) load_address=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --skip-reason) skip_reason=$2; shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --absent) forbids+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "initialiser_test.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ -z "$skip_reason" ] || skip "$skip_reason"
qemu=$(command -v "qemu-system-$arch") || skip "qemu-system-$arch is not installed"
image_args=()
[ "$arch" = riscv64 ] && image_args+=(--elf)

mkdir -p "$workdir"
image=$workdir/loader.img
log=$workdir/uart.log
if ! "$make_image" --load-address "$load_address" "$@" "${image_args[@]}" --out "$image"; then
  echo "FAIL: make_initialiser_image could not build the image"
  exit 1
fi

if [ "$arch" = riscv64 ]; then
  qemu_args=(-machine virt -m size=2G -nographic -serial mon:stdio -kernel "$image")
else
  qemu_args=(-machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic
             -serial mon:stdio -device "loader,file=$image,addr=$load_address,cpu-num=0")
fi
"$qemu" "${qemu_args[@]}" </dev/null >"$log" 2>&1 &
qemu_pid=$!
watch_expected "$log" "$qemu_pid" "$timeout"
report_expected "$log"
