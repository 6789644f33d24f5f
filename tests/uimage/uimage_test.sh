#!/bin/bash
# uimage_test.sh: examples/hello built with `--image-type uimage` against the
# SDK; the file must be a U-Boot legacy image U-Boot's own tool accepts
# (`mkimage -l` from Debian's u-boot-tools, when installed: it prints the
# header only when both CRCs are right) with load and entry address the
# loader's, and QEMU must boot it as a kernel (`-kernel`, QEMU's uImage
# loader) to the PD's "hello, world", with nothing after it.
#
#   uimage_test.sh SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR BOARD CONFIG
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
. "$(dirname "$0")/../qemu/serial_lines.sh"
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
[ $# = 6 ] || fail "usage: $0 SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR BOARD CONFIG"
sdk=$1 pkg=$2 example=$3 work=$4 board=$5 config=$6

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg"
[ -d "$sdk/board/$board/$config" ] || skip "the SDK $sdk has no $board/$config (run 'ninja sdk')"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"
command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64"

rm -rf "$work" && mkdir -p "$work/build"
cat >"$work/microkit-uimage" <<WRAPPER
#!/bin/sh
exec "$sdk/bin/microkit" "\$@" --image-type uimage
WRAPPER
chmod +x "$work/microkit-uimage"
(cd "$example" && make BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" \
   MICROKIT_CONFIG="$config" TOOLCHAIN=aarch64-linux-gnu MICROKIT_TOOL="$work/microkit-uimage" all) \
  >"$work/make.log" 2>&1 || { cat "$work/make.log"; fail "make with --image-type uimage failed"; }
img=$work/build/loader.img
[ "$(head -c 4 "$img" | od -An -tx1 | tr -d ' ')" = 27051956 ] || fail "$img does not start with the uImage magic"

link=$(aarch64-linux-gnu-readelf -l "$sdk/board/$board/$config/elf/loader.elf" |
       awk '$1 == "LOAD" { print $4; exit }')
link=$(printf '%x' $((link)))
if command -v mkimage >/dev/null; then
  mkimage -l "$img" >"$work/mkimage.txt" 2>&1
  cat "$work/mkimage.txt"
  size=$(($(stat -c %s "$img") - 64))
  grep -q "Image Type:   AArch64 Linux Kernel Image (uncompressed)" "$work/mkimage.txt" &&
  grep -q "Data Size:    $size Bytes" "$work/mkimage.txt" &&
  grep -q "Load Address: $link\$" "$work/mkimage.txt" &&
  grep -q "Entry Point:  $link\$" "$work/mkimage.txt" ||
    fail "mkimage -l does not read $img as an AArch64 kernel of $size bytes at $link (a bad CRC shows as another format)"
else
  echo "note: mkimage (u-boot-tools) is not installed; the header and CRCs are checked by the unit tests only"
fi

qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic \
    -serial mon:stdio -kernel "$img" </dev/null >"$work/uart.log" 2>"$work/qemu.err" &
qemu=$!
for _ in $(seq 60); do
  grep -q "hello, world" "$work/uart.log" && { sleep 2; break; }
  kill -0 $qemu 2>/dev/null || break
  sleep 0.5
done
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null
after=$(lines_after_boot "$work/uart.log" |
        grep -E -v '^microkit initialiser: (running [0-9]+ steps for [0-9]+ PDs?|all steps done)$')
[ "$after" = "hello, world" ] || { cat "$work/uart.log"; fail "QEMU -kernel did not boot the uImage to exactly 'hello, world'"; }
echo "the uImage boots with QEMU -kernel and prints 'hello, world'"
