#!/bin/bash
# official_example_test.sh: one example folder of the official Microkit
# source (seL4/microkit 2.3.0, example/NAME), unmodified, built with its own
# Makefile against this build's SDK as a user would, booted on the real seL4
# kernel in QEMU and its serial output compared with what the example's
# README and sources say it prints (tests/official/expected/NAME.txt); then
# the same build with --capdl-json and --capdl added, both files held to the
# image by capdl_check.
#
#   official_example_test.sh SDK KERNEL_PKG NAME WORK_DIR BOARD CONFIG CAPDL_CHECK EXPECTED TIMEOUT
#
# Where the official source is: $MICROKIT_OFFICIAL_SOURCE when set at test
# time, else the folder configured into the test (docs/sdk.md). Without it
# the test is SKIPPED, saying so.
#
# The make command line (docs/sdk.md, "Official examples"): the official
# Makefiles default to the aarch64-none-elf toolchain; Debian's is
# aarch64-linux-gnu, so CC, LD and AS are given on the command line.
#
# Expected output (EXPECTED): one line per serial line, in order; `<num>`
# stands for a decimal number. The serial lines after the kernel's "Booting
# all finished" line are compared, all of them, with only the initial
# task's three progress lines left out ("running N steps for M PDs", "all
# steps done", "PD 'x' is passive now ..."): a fault report, a FAILED line or
# any line after the last expected one fails the test (QEMU runs 2 s past
# the last expected line to give a late crash time to show).
#
# A file starting with "#mode in-order" is for PDs whose prints cut into
# each other mid-line (the domains example): each line belongs to the PD
# named by its text before the first ": "; "#drop TEXT" lines name further
# lines PDs print that are not checked. For each PD, every line the file
# knows of the other PDs ("TEXT\n") is taken out of the serial text, which
# puts that PD's cut lines back together, and its expected lines must then
# appear in it in order; the order between PDs is not checked. A fault
# report or FAILED line anywhere still fails the test.
#
# Exit codes: 0 pass, 1 fail (saying what), 77 skip (saying why).
set -u
. "$(dirname "$0")/../qemu/settle.sh"
. "$(dirname "$0")/../qemu/serial_lines.sh"
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ $# = 9 ] || fail "usage: $0 SDK KERNEL_PKG NAME WORK_DIR BOARD CONFIG CAPDL_CHECK EXPECTED TIMEOUT"
sdk=$1 pkg=$2 name=$3 work=$4 board=$5 config=$6 checker=$7 expected=$8 limit=$9
src=${MICROKIT_OFFICIAL_SOURCE:-$OFFICIAL_SOURCE_DEFAULT}
example=$src/example/$name

[ -f "$example/Makefile" ] ||
  skip "no official Microkit example at $example (set MICROKIT_OFFICIAL_SOURCE to a checkout of seL4/microkit 2.3.0)"
[ -f "$pkg/bin/kernel.elf" ] || skip "no seL4 kernel package at $pkg (set MICROKIT_KERNEL_ROOT when configuring)"
[ -d "$sdk/board/$board/$config" ] || skip "the SDK $sdk has no $board/$config (run 'ninja sdk')"
# The board's Debian toolchain and the manual's QEMU command for it.
case "$board" in
  qemu_virt_aarch64)
    arch=aarch64
    qemu_cmd=(qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a53 -m size=2G -nographic
              -serial mon:stdio -device loader,file=IMAGE,addr=0x70000000,cpu-num=0) ;;
  qemu_virt_riscv64)
    arch=riscv64
    qemu_cmd=(qemu-system-riscv64 -machine virt -nographic -serial mon:stdio -kernel IMAGE -m size=2G) ;;
  x86_64_generic)
    # The example's own Makefile's qemu target: the kernel as ELF32, the
    # image as the multiboot module; $OFFICIAL_QEMU_EXTRA adds the devices
    # an example's Makefile asks for (the IOMMU test's intel-iommu and edu).
    arch=x86_64
    qemu_cmd=(qemu-system-x86_64 -cpu qemu64,+fsgsbase,+pdpe1gb,+xsaveopt,+xsave -m 1G -display none
              -serial mon:stdio ${OFFICIAL_QEMU_EXTRA:-} -kernel KERNEL32 -initrd IMAGE) ;;
  *) skip "no QEMU command for $board" ;;
esac
command -v $arch-linux-gnu-gcc >/dev/null || skip "no $arch-linux-gnu-gcc"
command -v "${qemu_cmd[0]}" >/dev/null || skip "no ${qemu_cmd[0]}"
[ -f "$expected" ] || fail "no expected output $expected"

rm -rf "$work" && mkdir -p "$work/build"
toolchain=(CC=$arch-linux-gnu-gcc LD=$arch-linux-gnu-ld AS=$arch-linux-gnu-as)
vars=(BUILD_DIR="$work/build" MICROKIT_SDK="$sdk" MICROKIT_BOARD="$board" MICROKIT_CONFIG="$config")

# 1. Build, as the README says, plus the toolchain. The Makefiles of the
# x86 examples ask for --capdl-json themselves: the tool writes it.
(cd "$example" && make "${vars[@]}" "${toolchain[@]}") >"$work/make.log" 2>&1 ||
  { cat "$work/make.log"; fail "make failed on the official $name example"; }
# The image: loader.img, or initialiser.elf where an x86 Makefile names it so.
img=$work/build/loader.img
[ -s "$img" ] || [ ! -s "$work/build/initialiser.elf" ] || img=$work/build/initialiser.elf
[ -s "$img" ] || fail "make succeeded but wrote no $img"
# x86-64: the 32-bit kernel the Makefile boots, beside the image or in the SDK.
kernel32=$work/build/sel4_32.elf
[ -s "$kernel32" ] || kernel32=$sdk/board/$board/$config/elf/sel4_32.elf
if grep -q -- "--viper-output" "$example/Makefile"; then
  grep -q "no Viper files are written" "$work/make.log" ||
    fail "the Makefile passes --viper-output but the tool did not warn what it leaves out"
fi

# 2. Boot and compare.
# Our debug configurations also report a fault a parent handles (the
# official monitor prints nothing for it): a summary line and mk-fault lines,
# and once a PD has had 8 reports, one line saying the rest are not.
benign='^(microkit initialiser: (running [0-9]+ steps for [0-9]+ PDs?|all steps done|PD .* is passive now .*|PD .* faulted: .*; its parent .* handles it|PD .* faulted again; its further faults are not reported)|mk-fault .*)$'
checked_lines() {
  lines_after_boot "$work/uart.log" | grep -E -v "$benign"
}
mode=exact
grep -q '^#mode in-order' "$expected" && mode=in-order
grep -v '^#' "$expected" >"$work/expected.txt"
sed -n 's/^#drop //p' "$expected" >"$work/drops.txt"
want=$(wc -l <"$work/expected.txt")

# The expected lines as one regular expression per line (<num> = digits).
to_regex() { sed -e 's/[][\.*^$/|()+?{}]/\\&/g' -e 's/<num>/[0-9]+/g' -e 's/^/^/' -e 's/$/$/'; }
exact_match() {  # serial lines == expected lines
  local n
  n=$(checked_lines | wc -l)
  [ "$n" = "$want" ] || return 1
  paste -d '\n' <(to_regex <"$work/expected.txt") <(checked_lines) |
    awk 'NR % 2 == 1 { re = $0; next } { if ($0 !~ re) bad = 1 } END { exit bad }'
}
in_order_match() {  # per PD: its lines in order, the other PDs' known lines taken out
  checked_lines | awk -v file="$work/expected.txt" -v drops="$work/drops.txt" '
    function pd(l) { return substr(l, 1, index(l, ": ")) }
    BEGIN {
      while ((getline l < file) > 0) { want[++n] = l; known[++k] = l }
      while ((getline l < drops) > 0) known[++k] = l
    }
    { text = text $0 "\n" }
    END {
      for (i = 1; i <= n; i++) {
        if (pd(want[i]) in done) continue
        done[pd(want[i])] = 1
        view = text
        for (j = 1; j <= k; j++) {
          if (pd(known[j]) == pd(want[i])) continue
          line = known[j] "\n"
          while ((p = index(view, line)) > 0) view = substr(view, 1, p - 1) substr(view, p + length(line))
        }
        at = 1
        for (m = i; m <= n; m++) {
          if (pd(want[m]) != pd(want[i])) continue
          p = index(substr(view, at), want[m])
          if (!p) exit 1
          at += p + length(want[m]) - 1
        }
      }
    }'
}

done_enough() {
  if [ $mode = exact ]; then [ "$(checked_lines | wc -l)" -ge "$want" ]; else in_order_match; fi
}

cmd=("${qemu_cmd[@]//IMAGE/$img}")
cmd=("${cmd[@]//KERNEL32/$kernel32}")
"${cmd[@]}" </dev/null >"$work/uart.log" 2>"$work/qemu.err" &
qemu=$!
end=$((SECONDS + limit))
while [ $SECONDS -lt $end ] && kill -0 $qemu 2>/dev/null; do
  if done_enough; then settle "$work/uart.log" $qemu; break; fi
  sleep 0.5
done
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null
checked_lines >"$work/actual.txt"

show() {
  echo "--- serial output ($work/uart.log):"
  tr -d '\r' <"$work/uart.log" | tail -n 60
  echo "--- expected ($expected, $mode):"
  cat "$work/expected.txt"
}
if [ $mode = exact ]; then
  exact_match || { show; fail "the official $name example did not print exactly what is expected, in order"; }
else
  in_order_match || { show; fail "the official $name example did not print the expected fragments in order"; }
  grep -E -q '^microkit initialiser: |FAILED' "$work/actual.txt" &&
    { show; fail "the initial task reported a problem while $name ran"; }
fi
echo "QEMU: the official $name example printed what its sources say ($want $mode lines)"

# 3. The same build asking for the capDL spec; the image must not change.
cp "$img" "$work/loader-plain.img"
rm -f "$img"
cat >"$work/microkit-with-capdl" <<WRAPPER
#!/bin/sh
exec "$sdk/bin/microkit" "\$@" --capdl-json "$work/spec.json" --capdl "$work/spec.cdl"
WRAPPER
chmod +x "$work/microkit-with-capdl"
(cd "$example" && make "${vars[@]}" "${toolchain[@]}" MICROKIT_TOOL="$work/microkit-with-capdl") \
  >"$work/make-capdl.log" 2>&1 || { cat "$work/make-capdl.log"; fail "make with --capdl-json failed"; }
cmp -s "$img" "$work/loader-plain.img" || fail "asking for the capDL spec changed the image"
"$checker" "$pkg" "$img" "$work/spec.json" "$work/spec.cdl" ||
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
