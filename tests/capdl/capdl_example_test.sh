#!/bin/bash
# capdl_example_test.sh: an example built with its own Makefile against the
# SDK, the microkit tool also asked for --capdl-json and --capdl, and both
# files checked against the image the same run wrote (capdl_check).
#
#   capdl_example_test.sh SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR BOARD CONFIG CAPDL_CHECK [JSON_OPTION]
#
# JSON_OPTION (default --capdl-json): --capdl-json-extended for systems the
# official JSON cannot describe (a granted SchedControl cap; docs/cspace.md),
# whose .cdl is then held to the image through that JSON.
#
# The Makefile is not changed: MICROKIT_TOOL (a variable every example's
# Makefile reads) names a wrapper that runs the SDK's tool with the two
# options added. The cross compiler is Debian's aarch64-linux-gnu, or
# riscv64-linux-gnu for a riscv64 board, x86_64-linux-gnu for an x86 one (TOOLCHAIN for this project's
# examples, CC/LD/AS for the official ones).
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 7 ] || [ $# = 8 ] || fail "usage: $0 SDK KERNEL_PKG EXAMPLE_DIR WORK_DIR BOARD CONFIG CAPDL_CHECK [JSON_OPTION]"
sdk=$1 pkg=$2 example=$3 work=$4 board=$5 config=$6 checker=$7 json_option=${8:---capdl-json}

[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/$config" ] || skip "the SDK $sdk has no $board/$config (run 'ninja sdk')"
case "$board" in
  *riscv64*) cross=riscv64-linux-gnu ;;
  x86_64*) cross=x86_64-linux-gnu ;;
  *) cross=aarch64-linux-gnu ;;
esac
command -v $cross-gcc >/dev/null || skip "no $cross-gcc"
# An example with per-board system descriptions and none for this board
# (linux-vm: qemu_virt_aarch64 only) has nothing to build here.
if ls "$example"/*-qemu_virt_*.system >/dev/null 2>&1 && ! ls "$example"/*-"$board".system >/dev/null 2>&1; then
  skip "$example has no system description for $board"
fi

rm -rf "$work" && mkdir -p "$work/build"
cat >"$work/microkit-with-capdl" <<WRAPPER
#!/bin/sh
exec "$sdk/bin/microkit" "\$@" $json_option "$work/spec.json" --capdl "$work/spec.cdl"
WRAPPER
chmod +x "$work/microkit-with-capdl"

vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG="$config"
      TOOLCHAIN=$cross CC=$cross-gcc LD=$cross-ld AS=$cross-as
      MICROKIT_TOOL="$work/microkit-with-capdl")
if ! (cd "$example" && make "${vars[@]}" all) >"$work/make.log" 2>&1; then
  # linux-vm's Makefile stops, naming the fix, without its guest's Debian packages.
  grep -q "run ./dev.sh guest" "$work/make.log" && skip "$(grep -o 'no .* package in .*' "$work/make.log" | head -1)"
  cat "$work/make.log"
  fail "make failed"
fi
for f in build/loader.img spec.json spec.cdl; do
  [ -s "$work/$f" ] || { cat "$work/make.log"; fail "the build wrote no $work/$f"; }
done
"$checker" "$pkg" "$work/build/loader.img" "$work/spec.json" "$work/spec.cdl" ||
  fail "the capDL outputs do not describe the image (see above)"

# The seL4 capDL tool's own parser, when one is at hand (docs/cli.md).
capdl_tool=${MICROKIT_CAPDL_TOOL:-$(command -v parse-capdl || true)}
if [ -n "$capdl_tool" ]; then
  "$capdl_tool" -t "$work/reparsed.cdl" "$work/spec.cdl" >"$work/capdl-tool.log" 2>&1 ||
    { cat "$work/capdl-tool.log"; fail "the seL4 capDL tool ($capdl_tool) rejects spec.cdl"; }
  echo "the seL4 capDL tool ($capdl_tool) reads spec.cdl"
else
  echo "note: no seL4 capDL tool (parse-capdl); set MICROKIT_CAPDL_TOOL to have it read spec.cdl too"
fi
