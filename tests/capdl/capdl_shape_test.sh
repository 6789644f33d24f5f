#!/bin/bash
# capdl_shape_test.sh: the official examples hello, cap_sharing and
# hierarchy built twice, with the official SDK ($MICROKIT_OFFICIAL_SDK) and
# with ours, both tools asked for --capdl-json; capdl_shape must find the
# two files of each example of the same shape. On qemu_virt_aarch64, and on
# qemu_virt_riscv64 when both SDKs have it.
#
#   capdl_shape_test.sh OUR_SDK WORK_DIR CAPDL_SHAPE
# The official source: $MICROKIT_OFFICIAL_SOURCE, else $OFFICIAL_SOURCE_DEFAULT.
# Exit codes: 0 pass, 1 fail, 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
[ $# = 3 ] || fail "usage: $0 OUR_SDK WORK_DIR CAPDL_SHAPE"
ours=$1 work=$2 shape=$3
official=${MICROKIT_OFFICIAL_SDK:-}
src=${MICROKIT_OFFICIAL_SOURCE:-${OFFICIAL_SOURCE_DEFAULT:-}}
[ -n "$official" ] && [ -x "$official/bin/microkit" ] ||
  skip "set MICROKIT_OFFICIAL_SDK to an official Microkit SDK (../shared/tools/official-microkit/README.md builds one)"
[ -d "$src/example" ] || skip "no official Microkit source at $src (set MICROKIT_OFFICIAL_SOURCE)"
[ -d "$ours/board/qemu_virt_aarch64/debug" ] || skip "our SDK has no qemu_virt_aarch64/debug"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"

rm -rf "$work" && mkdir -p "$work"
boards=qemu_virt_aarch64
[ -d "$ours/board/qemu_virt_riscv64/debug" ] && [ -d "$official/board/qemu_virt_riscv64/debug" ] &&
  command -v riscv64-linux-gnu-gcc >/dev/null && boards="$boards qemu_virt_riscv64"
for board in $boards; do
  cross=aarch64-linux-gnu
  [ $board = qemu_virt_riscv64 ] && cross=riscv64-linux-gnu
  for name in hello cap_sharing hierarchy; do
    for side in ours official; do
      sdk=$ours
      [ $side = official ] && sdk=$official
      out=$work/$board/$name-$side
      mkdir -p "$out/build"
      printf '#!/bin/sh\nexec "%s/bin/microkit" "$@" --capdl-json "%s/spec.json"\n' "$sdk" "$out" >"$out/tool"
      chmod +x "$out/tool"
      (cd "$src/example/$name" && make BUILD_DIR="$out/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD=$board \
         MICROKIT_CONFIG=debug CC=$cross-gcc LD=$cross-ld AS=$cross-as \
         MICROKIT_TOOL="$out/tool") >"$out/make.log" 2>&1 || { cat "$out/make.log"; fail "$name ($side, $board) did not build"; }
    done
    echo "== $board $name"
    "$shape" "$work/$board/$name-ours/spec.json" "$work/$board/$name-official/spec.json" ||
      fail "$name on $board: our JSON's shape differs"
  done
done
