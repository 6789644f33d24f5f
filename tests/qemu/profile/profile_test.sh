#!/bin/bash
# profile_test.sh: the per-PD profiler on seL4 (docs/profiling.md, "On seL4").
# Builds tests/profile/spin.system for qemu_virt_aarch64/benchmark (the tool
# adds the profiler PD), boots it in QEMU with the UART saved to a file
# while the spinner spins in spin_here(), converts the log with
# `microkit profile`, and checks: the spinner has samples, its hottest
# function is spin_here with at least 90% of them, and spin_here frames
# come with init as their caller.
#
#   profile_test.sh SDK KERNEL_PKG SRC_DIR WORK_DIR
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 4 ] || fail "usage: $0 SDK KERNEL_PKG SRC_DIR WORK_DIR"
sdk=$1 pkg=$2 src=$3 work=$4
board=qemu_virt_aarch64 config=benchmark

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -f "$sdk/board/$board/$config/elf/profiler.elf" ] ||
  skip "the SDK $sdk has no $board/$config profiler PD (run 'ninja sdk')"
command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"

rm -rf "$work" && mkdir -p "$work"
vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=$board MICROKIT_CONFIG=$config
      TOOLCHAIN=aarch64-linux-gnu)
(cd "$src" && make "${vars[@]}" all) >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make (the PD programs and the image) failed"; }

# The spinner's 300M rounds take well under a second of guest time; the
# benchmark kernel prints nothing, so wait for the samples to stop growing.
qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -m size=2G -display none -monitor none \
  -serial file:"$work/serial.log" -device loader,file="$work/build/loader.img",addr=0x70000000,cpu-num=0 \
  </dev/null >"$work/qemu.out" 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null; wait $qemu 2>/dev/null' EXIT
last=-1
for _ in $(seq 1 120); do
  sleep 1
  kill -0 $qemu 2>/dev/null || { cat "$work/qemu.out"; fail "QEMU exited"; }
  now=$(grep -c "microkit-profile spinner s " "$work/serial.log" 2>/dev/null)
  [ "$now" -gt 0 ] && [ "$now" = "$last" ] && break
  last=$now
done
kill $qemu 2>/dev/null; wait $qemu 2>/dev/null; trap - EXIT

"$sdk/bin/microkit" profile "$src/../../profile/spin.system" --board $board --config $config \
  --search-path "$work/build" --profile-log "$work/serial.log" --profile-out "$work/profile" \
  >"$work/convert.log" 2>&1 || { cat "$work/convert.log"; fail "microkit profile failed"; }
cat "$work/profile.txt"

spinner=$(grep '^spinner ' "$work/profile.txt") || fail "no spinner row in the table"
samples=$(echo "$spinner" | awk '{print $2}')
[ "$samples" -ge 50 ] || fail "only $samples samples of the spinner"
echo "$spinner" | grep -q " spin_here (" || fail "the spinner's hottest function is not spin_here: $spinner"
share=$(echo "$spinner" | sed -n 's/.* spin_here (\([0-9]*\)\..*/\1/p')
[ "${share:-0}" -ge 90 ] || fail "spin_here has ${share:-0}% of the spinner's samples (want >= 90%)"
# Call stacks: the frame after a spin_here frame is init (frame records walked).
pairs=$(awk '/ spin_here\+/ {getline next_line; print next_line}' "$work/profile.perf" | grep -c ' init+')
inner=$(grep -c ' spin_here+' "$work/profile.perf")
[ $((pairs * 10)) -ge $((inner * 9)) ] || fail "only $pairs of $inner spin_here frames have init as caller"
echo "PASS: $samples spinner samples, ${share}% in spin_here, $pairs/$inner with init as caller"
