#!/bin/bash
# sdk_test.sh: the SDK tests (ctest label sdk; registered by sdk/CMakeLists.txt).
#
#   sdk_test.sh layout SDK "HOST_CONFIGS" "BOARD/CONFIG..."
#       every file the SDK must hold, and the tool finding its boards by itself
#   sdk_test.sh host-example SDK EXAMPLE_DIR WORK_DIR
#       the example's own Makefile with MICROKIT_BOARD=host; `make run` must
#       print exactly EXAMPLE_DIR/expected-output.txt
#   sdk_test.sh sel4-elfs SDK EXAMPLE_DIR WORK_DIR BOARD CONFIG ELF...
#       the Makefile with TOOLCHAIN=<arch>-linux-gnu must link each PD ELF
#       (arch: aarch64, riscv64 or x86_64, from the board)
#   sdk_test.sh sel4-boot SDK EXAMPLE_DIR WORK_DIR BOARD CONFIG COMPARE_SCRIPT
#       `make` must build loader.img (a failed build fails), and QEMU must print
#       the lines of the expected output, in order and nothing else (the
#       example tests' COMPARE_SCRIPT, run on the SDK's own kernel)
#   sdk_test.sh self-located SDK EXAMPLE_DIR WORK_DIR BOARD CONFIG
#       a copy of the SDK, its tool run with none of the variables that
#       name its files, must write the same image as the `sel4-boot` make
#   sdk_test.sh skip REASON
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
# The examples' folders are never written to: BUILD_DIR is WORK_DIR.
set -u

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# make in the example's folder, its output saved in WORK_DIR/<log>.
run_make() {
  local example=$1 work=$2 log=$3
  shift 3
  (cd "$example" && make "$@") >"$work/$log" 2>&1
}

check_layout() {
  local sdk=$1 host_configs=$2 sel4_pairs=$3 missing=0
  local files=(VERSION bin/microkit bin/microkit-host share/microkit/boards/host.json)
  for c in $host_configs; do
    files+=("board/host/$c/include/microkit.h" "board/host/$c/lib/libmicrokit.a"
            "board/host/$c/lib/libmicrokit_trace.a")
  done
  for bc in $sel4_pairs; do
    local d=board/$bc
    files+=("$d/include/microkit.h" "$d/include/pd_abi.h" "$d/include/sel4/sel4.h"
            "$d/include/kernel/gen_config.h" "$d/include/kernel/gen_config.json"
            "$d/include/sel4/gen_config.h" "$d/lib/libmicrokit.a" "$d/lib/microkit.ld"
            "$d/elf/initialiser.elf" "$d/elf/sel4.elf"
            "$d/invocations_all.json" "$d/kernel/gen_config.json")
    # x86-64: no loader and no platform_gen.json (memory is found at boot);
    # the 32-bit kernel QEMU's multiboot -kernel takes instead.
    case $bc in
      x86_64*) files+=("$d/elf/sel4_32.elf") ;;
      *) files+=("$d/elf/loader.elf" "$d/platform_gen.json") ;;
    esac
    # The trace build of libmicrokit (docs/tracing.md): AArch64 boards.
    case $bc in qemu_virt_aarch64*) files+=("$d/lib/libmicrokit_trace.a") ;; esac
  done
  for f in "${files[@]}"; do
    [ -f "$sdk/$f" ] || { echo "missing: $sdk/$f"; missing=1; }
  done
  [ $missing = 0 ] || fail "the SDK lacks files (run 'ninja sdk')"
  [ -x "$sdk/bin/microkit" ] && [ -x "$sdk/bin/microkit-host" ] || fail "bin/ is not executable"
  # Our microkit.h, not some other, is what PDs include.
  for bc in $sel4_pairs host/${host_configs%% *}; do
    grep -q MICROKIT_HOST "$sdk/board/$bc/include/microkit.h" ||
      fail "board/$bc/include/microkit.h is not this project's microkit.h"
  done
  # Each seL4 ELF is an ELF of the board's architecture.
  for bc in $sel4_pairs; do
    local elfs=(loader initialiser sel4)
    case $bc in x86_64*) elfs=(initialiser sel4 sel4_32) ;; esac
    for e in "${elfs[@]}"; do
      head -c 4 "$sdk/board/$bc/elf/$e.elf" | grep -q ELF || fail "board/$bc/elf/$e.elf is not an ELF"
    done
    case $bc in
      x86_64*) [ "$(od -An -tu1 -j4 -N1 "$sdk/board/$bc/elf/sel4_32.elf" | tr -d ' ')" = 1 ] ||
                 fail "board/$bc/elf/sel4_32.elf is not a 32-bit ELF" ;;
    esac
  done
  # The tool finds its boards relative to itself (no MICROKIT_BOARDS), and
  # lists every seL4 board the SDK holds.
  local boards
  boards=$(env -u MICROKIT_BOARDS "$sdk/bin/microkit" boards) || fail "microkit boards failed"
  for bc in host/x $sel4_pairs; do
    echo "$boards" | grep -q "^${bc%%/*} " || fail "'microkit boards' does not list ${bc%%/*}"
  done
  echo "SDK layout complete: host ($host_configs) ${sel4_pairs:-(no seL4 board)}"
}

host_example() {
  local sdk=$1 example=$2 work=$3
  rm -rf "$work" && mkdir -p "$work"
  local vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=host MICROKIT_CONFIG=debug)
  run_make "$example" "$work" make.log "${vars[@]}" all ||
    { cat "$work/make.log"; fail "make all (host) failed"; }
  # -s: make prints nothing itself, so stdout is the run's output alone.
  (cd "$example" && env -u MICROKIT_BOARDS make -s "${vars[@]}" run) >"$work/actual-output.txt" 2>"$work/run.err"
  local status=$?
  if ! cmp -s "$work/actual-output.txt" "$example/expected-output.txt"; then
    cat "$work/run.err"
    diff -u "$example/expected-output.txt" "$work/actual-output.txt"
    fail "output differs from $example/expected-output.txt"
  fi
  [ $status = 0 ] || { cat "$work/run.err"; fail "make run ended with status $status"; }
  echo "output matches $example/expected-output.txt"
}

# The Debian cross toolchain prefix and readelf's machine name of a board.
board_arch() {
  case "$1" in
    *riscv64*) echo riscv64 ;;
    x86_64*) echo x86_64 ;;
    *) echo aarch64 ;;
  esac
}
elf_machine() {
  case "$1" in
    riscv64) echo RISC-V ;;
    x86_64) echo "Advanced Micro Devices X86-64" ;;
    *) echo AArch64 ;;
  esac
}

sel4_vars() {
  echo BUILD_DIR="$3/build" MICROKIT_SDK="$1" MICROKIT_BOARD="$4" MICROKIT_CONFIG="$5" \
       TOOLCHAIN=$(board_arch "$4")-linux-gnu
}

sel4_elfs() {
  local sdk=$1 example=$2 work=$3 board=$4 config=$5
  shift 5
  local arch machine
  arch=$(board_arch "$board") machine=$(elf_machine "$arch")
  command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"
  rm -rf "$work" && mkdir -p "$work"
  local targets=()
  for elf in "$@"; do targets+=("$work/build/$elf"); done
  run_make "$example" "$work" elfs.log $(sel4_vars "$sdk" "$example" "$work" "$board" "$config") \
      "${targets[@]}" || { cat "$work/elfs.log"; fail "linking the PD ELFs failed"; }
  for t in "${targets[@]}"; do
    $arch-linux-gnu-readelf -h "$t" | grep -q "Machine: *$machine" || fail "$t is not an $machine ELF"
    $arch-linux-gnu-readelf -s "$t" | grep -q ' _start$' || fail "$t has no _start"
  done
  echo "linked: $*"
}

# The boot itself is tests/qemu/examples/qemu_example_test.sh: one
# comparison, whole lines in order, for the SDK and the example tests.
sel4_boot() {
  local sdk=$1 example=$2 work=$3 board=$4 config=$5 compare=$6
  exec "$compare" "$sdk" "$sdk/board/$board/$config" "$example" "$work" "$board" "$config" 60
}

# A copy of the SDK elsewhere, its tool run with no MICROKIT_SDK, no
# MICROKIT_BOARDS and a MICROKIT_KERNEL_ROOT that does not exist, must find
# everything relative to itself and write the same image as `make` did.
self_located() {
  local sdk=$1 example=$2 work=$3 board=$4 config=$5
  local made=$work/build/loader.img
  [ -f "$made" ] || skip "no $made: the image step did not run (see sdk.$board.*.boot)"
  local copy=$work/relocated
  rm -rf "$copy" && mkdir -p "$copy" && cp -a "$sdk" "$copy/sdk" || fail "cannot copy the SDK"
  local system
  system=$(ls "$example"/*.system | head -1)
  (cd "$example" && env -u MICROKIT_SDK -u MICROKIT_BOARDS -u MICROKIT_LOADER \
      -u MICROKIT_INITIALISER MICROKIT_KERNEL_ROOT=/nonexistent \
      "$copy/sdk/bin/microkit" "$(basename "$system")" --search-path "$work/build" --search-path . \
      --board "$board" --config "$config" -o "$copy/loader.img" -r "$copy/report.txt") \
      >"$copy/tool.log" 2>&1 || { cat "$copy/tool.log"; fail "the relocated tool failed"; }
  cmp "$made" "$copy/loader.img" || fail "the relocated SDK's image differs from $made"
  rm -rf "$copy/sdk"
  echo "the relocated SDK's tool found its files and wrote the same image"
}

mode=${1:-}
shift || true
case "$mode" in
  layout) check_layout "$@" ;;
  host-example) host_example "$@" ;;
  sel4-elfs) sel4_elfs "$@" ;;
  sel4-boot) sel4_boot "$@" ;;
  self-located) self_located "$@" ;;
  skip) skip "$1" ;;
  *) fail "unknown mode '$mode'" ;;
esac
