#!/bin/bash
# limits_test.sh: a generated system at the official Microkit limits, built
# with the SDK this build assembled and booted on the real seL4 kernel in
# QEMU (ctest -L qemu; tests/qemu/limits/CMakeLists.txt).
#
#   limits_test.sh SDK KERNEL_PKG WORK_DIR PDS MRS MESH TIMEOUT [BOARD]
#
# BOARD: qemu_virt_aarch64 (the default) or qemu_virt_riscv64.
#
# The system: PDS protection domains pd0..pd<PDS-1> (priorities 200 down),
# all running limits_pd.c; MRS one-page memory regions, MR k mapped into
# PD k mod PDS; with MESH=1 a channel between every pair of PDs (PDS = 63:
# 1,953 channels, every PD using 62 channel ids; the lower-priority end may
# call the other) and one more page, "shared", mapped into every PD. See limits_pd.c for what
# each PD does and prints.
#
# Passes when every PD printed exactly its expected lines (each PD: its MRs
# checked; with MESH, every peer heard from), the initial task printed only
# its start and "all steps done" lines, and nothing else appeared: any
# initialiser failure, PD fault or missing line fails, naming what.
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
. "$(dirname "$0")/../settle.sh"
. "$(dirname "$0")/../serial_lines.sh"

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 7 ] || [ $# = 8 ] || fail "usage: $0 SDK KERNEL_PKG WORK_DIR PDS MRS MESH TIMEOUT [BOARD]"
sdk=$1 pkg=$2 work=$3 pds=$4 mrs=$5 mesh=$6 limit=$7 board=${8:-qemu_virt_aarch64}
config=debug
case "$board" in
  qemu_virt_aarch64)
    arch=aarch64 arch_cflags=(-mstrict-align)
    qemu_cmd=(qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic
              -serial mon:stdio -device loader,file=IMAGE,addr=0x70000000,cpu-num=0) ;;
  qemu_virt_riscv64)
    arch=riscv64 arch_cflags=(-march=rv64imafdc_zicsr_zifencei -mabi=lp64d)
    qemu_cmd=(qemu-system-riscv64 -machine virt -m size=2G -nographic -serial mon:stdio -kernel IMAGE) ;;
  *) fail "no QEMU command for $board" ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
board_dir=$sdk/board/$board/$config

[ -f "$pkg/bin/kernel.elf" ] ||
  skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -f "$board_dir/lib/libmicrokit.a" ] ||
  skip "the SDK $sdk has no $board/$config (run 'ninja sdk'; see the configure log for why a board is left out)"
command -v "${qemu_cmd[0]}" >/dev/null || skip "no ${qemu_cmd[0]}"
command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"

rm -rf "$work" && mkdir -p "$work"

# What every PD must print (limits_pd.c), sorted.
expected_lines() {
  local p
  for ((p = 0; p < pds; p++)); do
    local mine=0
    [ $p -lt "$mrs" ] && mine=$(((mrs - p + pds - 1) / pds))
    echo "pd$p: $mine MRs ok"
    [ "$mesh" = 1 ] && echo "pd$p: heard from all $((pds - 1)) peers, shared page ok" &&
      echo "pd$p: $p of $p calls answered"
  done | LC_ALL=C sort
}

"$here/limits_system.sh" "$pds" "$mrs" "$mesh" >"$work/limits.system"
expected_lines >"$work/expected.txt"
want=$(wc -l <"$work/expected.txt")

cflags=(-nostdlib -ffreestanding -g -O2 -Wall -Wno-unused-function -Werror "${arch_cflags[@]}"
        -I"$board_dir/include" -DLIMITS_PDS="$pds" -DLIMITS_MRS="$mrs" -DLIMITS_MESH="$mesh")
$arch-linux-gnu-gcc -c "${cflags[@]}" "$here/limits_pd.c" -o "$work/limits_pd.o" >"$work/cc.log" 2>&1 &&
  $arch-linux-gnu-ld -L"$board_dir/lib" -z noexecstack "$work/limits_pd.o" -lmicrokit -Tmicrokit.ld \
    -o "$work/limits_pd.elf" >>"$work/cc.log" 2>&1 ||
  { cat "$work/cc.log"; fail "compiling limits_pd.c against $board_dir failed"; }

start=$SECONDS
"$sdk/bin/microkit" "$work/limits.system" --search-path "$work" --board $board --config $config \
    -o "$work/loader.img" -r "$work/report.txt" >"$work/tool.log" 2>&1 ||
  { cat "$work/tool.log"; fail "microkit refused the generated system ($pds PDs, $mrs MRs, mesh $mesh)"; }
echo "built $work/loader.img ($pds PDs, $mrs MRs, mesh $mesh) in $((SECONDS - start))s"

# Every line after the kernel's "Booting all finished" (serial_lines.sh).
user_lines() { lines_after_boot "$work/uart.log"; }
pd_lines() { user_lines | grep '^pd[0-9]*: '; }

"${qemu_cmd[@]//IMAGE/$work/loader.img}" </dev/null >"$work/uart.log" 2>"$work/qemu.err" &
qemu=$!
start=$SECONDS
end=$((SECONDS + limit))
while [ $SECONDS -lt $end ]; do
  [ "$(pd_lines | wc -l)" -ge "$want" ] && { settle "$work/uart.log" $qemu; break; }
  grep -q -e 'FAILED' -e 'faulted' "$work/uart.log" && { sleep 0.5; break; }
  kill -0 $qemu 2>/dev/null || break
  sleep 0.5
done
took=$((SECONDS - start))
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null

user_lines >"$work/user.txt"
pd_lines | LC_ALL=C sort >"$work/actual.txt"
# Everything else the system printed: the initial task's two lines, and
# the debug kernel's own (none expected).
grep -v '^pd[0-9]*: ' "$work/user.txt" >"$work/other.txt"
problems=$(grep -v -e '^microkit initialiser: running [0-9]* steps for [0-9]* PDs$' \
                   -e '^microkit initialiser: all steps done$' "$work/other.txt")

show_log() {
  echo "--- the serial output after boot (last 40 lines of $work/uart.log):"
  tail -40 "$work/user.txt"
  [ -s "$work/qemu.err" ] && { echo "--- QEMU's standard error:"; cat "$work/qemu.err"; }
}
grep -q '^microkit initialiser: all steps done$' "$work/other.txt" ||
  { show_log; fail "the initial task did not finish its steps (no 'all steps done' in ${took}s)"; }
[ -z "$problems" ] || { show_log; fail "unexpected output: $(echo "$problems" | head -5)"; }
if ! diff -u "$work/expected.txt" "$work/actual.txt" >"$work/diff.txt"; then
  show_log
  echo "--- expected vs actual PD lines (sorted):"
  head -60 "$work/diff.txt"
  fail "the PDs' lines differ from what $pds PDs with $mrs MRs (mesh $mesh) must print (after ${took}s)"
fi
echo "QEMU: all $pds PDs printed their $want lines in ${took}s ($(head -1 "$work/other.txt"))"
