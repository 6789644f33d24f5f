#!/bin/bash
# x86_vmm_sdk_test.sh: a VMM written only against the official Microkit API
# (vmm.c: the x86 vCPU calls of microkit.h, SEL4_VMENTER_* message registers)
# builds for x86_64_generic_vtx against this build's SDK with a Makefile in
# the official examples' style, the SDK's tool makes the image, and the
# image's spec passes the initial task's own checks against the bootinfo of
# the machine the tool assumes (capdl_check --spec), with the guest's EPT and
# vCPU steps in it. Nothing boots: QEMU's TCG has no VT-x.
# Then the same system with --capdl-json is refused, saying why.
#
#   x86_vmm_sdk_test.sh SDK KERNEL_PKG WORK_DIR CAPDL_CHECK
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 4 ] || fail "usage: $0 SDK KERNEL_PKG WORK_DIR CAPDL_CHECK"
sdk=$1 pkg=$2 work=$3 checker=$4
src=$(cd "$(dirname "$0")" && pwd)
board=x86_64_generic_vtx config=debug

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/$config" ] || skip "the SDK $sdk has no $board/$config (run 'ninja sdk')"
command -v x86_64-linux-gnu-gcc >/dev/null || skip "no x86_64-linux-gnu-gcc"

rm -rf "$work" && mkdir -p "$work/build"
vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG="$config")
make -C "$src" "${vars[@]}" >"$work/make.log" 2>&1 || { cat "$work/make.log"; fail "the VMM or its image did not build"; }
for f in loader.img sel4.elf sel4_32.elf; do
  [ -s "$work/build/$f" ] || fail "the tool wrote no $f"
done

# Every x86 vCPU call of the official microkit.h is linked from the SDK's library.
calls="microkit_vcpu_x86_write_regs microkit_vcpu_x86_write_vmcs microkit_vcpu_x86_read_vmcs
       microkit_vcpu_x86_read_msr microkit_vcpu_x86_write_msr microkit_vcpu_x86_enable_ioport
       microkit_vcpu_x86_disable_ioport microkit_vcpu_x86_on microkit_vcpu_x86_off"
symbols=$(x86_64-linux-gnu-nm "$work/build/vmm.elf")
for c in $calls; do
  grep -q " T $c\$" <<<"$symbols" || fail "vmm.elf has no definition of $c"
done

out=$("$checker" --spec "$pkg" "$work/build/loader.img" 2>&1)
status=$?
echo "$out"
[ $status = 0 ] || fail "the image's spec does not pass the initial task's checks"
for step in "bind VCPU to TCB x1" "set TCB EPT root x1" "map into guest EPT"; do
  grep -q "^step $step" <<<"$out" || fail "the spec has no '$step' step"
done

# The check can fail: the same image with one EPT map step naming an
# endpoint instead of an EPT table or frame is refused.
python3 - "$work/build/loader.img" "$work/broken.img" <<'PY' || fail "no EPT map step to break"
import struct, sys
img = bytearray(open(sys.argv[1], 'rb').read())
for base in range(0, len(img) - 32, 4096):
    if img[base:base + 4] == b'MKIS':
        count, offset = struct.unpack_from('<II', img, base + 24)
        for k in range(count):
            at = base + offset + 64 * k
            if struct.unpack_from('<I', img, at)[0] == 32:  # EptMap
                struct.pack_into('<I', img, at + 4, 3)       # object kind: Endpoint
                open(sys.argv[2], 'wb').write(img)
                sys.exit(0)
sys.exit(1)
PY
"$checker" --spec "$pkg" "$work/broken.img" >"$work/broken.log" 2>&1 &&
  fail "a spec with an endpoint mapped into the EPT passed the checks"
grep -q "FAIL: step .*(map into guest EPT)" "$work/broken.log" ||
  { cat "$work/broken.log"; fail "the broken EPT step was not the one reported"; }

# capDL output of an x86 guest is refused at the <virtual_machine>, saying what to do.
(cd "$src" && "$sdk/bin/microkit" vmm.system --search-path "$work/build" --board $board --config $config \
   -o "$work/capdl.img" --capdl-json "$work/capdl.json") >"$work/capdl.log" 2>&1 &&
  fail "--capdl-json of an x86 VM was accepted"
grep -q "vmm.system:9:9: error.*capDL output.*x86 VT-x" "$work/capdl.log" ||
  { cat "$work/capdl.log"; fail "the capDL refusal does not name the <virtual_machine> and why"; }
echo "PASS: the official-API VMM builds for $board; its spec passes the initial task's checks"
